import { escapeHtml } from '../html/html.js';

export type BadgeFormat = 'markdown' | 'rst' | 'html';

export const BADGE_FORMATS: readonly BadgeFormat[] = ['markdown', 'rst', 'html'];

/** The badge image every snippet shows (upstream's `badge_logo.svg`). */
export function badgeImageUrl(base: string): string {
  return new URL('badge_logo.svg', base).toString();
}

/**
 * README markup for a launch badge: Markdown and reStructuredText exactly as upstream's
 * home page writes them, plus an HTML snippet.
 */
export function badgeMarkup(format: BadgeFormat, imageUrl: string, link: string): string {
  switch (format) {
    case 'markdown':
      return `[![Binder](${imageUrl})](${link})`;
    case 'rst':
      return `.. image:: ${imageUrl}\n :target: ${link}`;
    case 'html':
      return `<a href="${escapeHtml(link)}"><img src="${escapeHtml(imageUrl)}" alt="Binder"></a>`;
  }
}
