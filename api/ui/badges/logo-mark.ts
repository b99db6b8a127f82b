/**
 * This project's own logo mark (a filled disc with two linked rings), as inline SVG.
 * Decorative: hidden from assistive technology (the text next to it names the site).
 */
export function logoMark(size: number, x = 0, y = 0): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" x="${x}" y="${y}" width="${size}" height="${size}" viewBox="0 0 32 32" aria-hidden="true" focusable="false">` +
    '<circle cx="16" cy="16" r="16" fill="#1d4f91"/>' +
    '<circle cx="16" cy="11" r="5.5" fill="none" stroke="#ffffff" stroke-width="3"/>' +
    '<circle cx="16" cy="21" r="5.5" fill="none" stroke="#f59e0b" stroke-width="3"/>' +
    '</svg>'
  );
}
