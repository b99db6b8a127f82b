import type { ErrorRequestHandler, Response } from 'express';
import { HttpError } from './http-error.js';

/** A 4xx/5xx JSON answer naming the problem: `{"status": 400, "error": "…"}`. */
export function sendJsonError(res: Response, status: number, message: string): void {
  res.status(status).json({ status, error: message });
}

/** Last Express error handler: typed errors keep their status, others are 500. */
export function jsonErrorHandler(log: {
  error: (o: object, m: string) => void;
}): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof HttpError) return sendJsonError(res, err.status, err.message);
    const status = typeof err?.status === 'number' && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err }, 'unhandled error');
    sendJsonError(res, status, status === 500 ? 'Internal Server Error' : String(err.message));
  };
}
