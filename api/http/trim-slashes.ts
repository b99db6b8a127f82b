/**
 * Slash trimming in linear time. (`s.replace(/\/+$/, '')` retries the run of slashes at
 * each of its positions when something follows it: quadratic on `a////…//x`.)
 */
export function trimTrailingSlashes(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x2f) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** `s` without leading and trailing `/`, in linear time. */
export function trimSlashes(s: string): string {
  let start = 0;
  while (start < s.length && s.charCodeAt(start) === 0x2f) start++;
  return trimTrailingSlashes(s.slice(start));
}
