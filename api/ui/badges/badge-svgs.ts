import { logoMark } from './logo-mark.js';

const LEFT = '#3f3f46';
const RIGHT = '#c2410c';
const FONT = 'Verdana,DejaVu Sans,Geneva,sans-serif';

interface Segment {
  text: string;
  width: number;
  textWidth: number;
  fill: string;
  /** Space before the text (for the logo). */
  inset?: number;
}

function label(seg: Segment, x: number): string {
  const start = x + (seg.inset ?? 0);
  const centre = start + (seg.width - (seg.inset ?? 0)) / 2;
  return (
    `<rect x="${x}" width="${seg.width}" height="20" fill="${seg.fill}"/>` +
    `<text x="${centre}" y="14" fill="#ffffff" text-anchor="middle" textLength="${seg.textWidth}" lengthAdjust="spacingAndGlyphs">${seg.text}</text>`
  );
}

function badge(left: Segment, right: Segment, logo: boolean): string {
  const width = left.width + right.width;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" viewBox="0 0 ${width} 20" role="img" aria-label="launch binder">` +
    '<title>launch binder</title>' +
    `<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#ffffff"/></clipPath>` +
    `<g clip-path="url(#r)" font-family="${FONT}" font-size="11">` +
    label(left, 0) +
    label(right, left.width) +
    '</g>' +
    (logo ? logoMark(14, 5, 3) : '') +
    '</svg>'
  );
}

/** `/badge.svg`: a flat "launch | binder" badge (this project's own drawing). */
export const BADGE_SVG = badge(
  { text: 'launch', width: 52, textWidth: 40, fill: LEFT },
  { text: 'binder', width: 48, textWidth: 36, fill: RIGHT },
  false,
);

/** `/badge_logo.svg`: the same badge with the logo mark before "launch". */
export const BADGE_LOGO_SVG = badge(
  { text: 'launch', width: 72, textWidth: 40, fill: LEFT, inset: 20 },
  { text: 'binder', width: 48, textWidth: 36, fill: RIGHT },
  true,
);

/** `/static/favicon.svg`. */
export const FAVICON_SVG = logoMark(32);
