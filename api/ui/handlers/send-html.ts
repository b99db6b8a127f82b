import type { Response } from 'express';

/** Sends a rendered page. */
export function sendHtml(res: Response, status: number, page: string): void {
  res.status(status);
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'same-origin');
  res.send(page);
}
