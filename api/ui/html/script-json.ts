/**
 * JSON that is safe inside an inline `<script>`: `<`, `>`, `&` and the JavaScript line
 * separators are written as `\u` escapes, so no value can close the script element or
 * open an HTML comment.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
