import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http/http-error.js';

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `Request body larger than ${limit} bytes`);
}

/**
 * The request body exactly as sent (webhook signatures cover these bytes), read with a
 * size limit: a declared or actual size over `limit` is a 413 before more is buffered.
 * Must run before any body parser has consumed the stream.
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  if (req.readableEnded) {
    return Promise.reject(
      new HttpError(
        500,
        'The request body was already read: mount the webhook before body parsers',
      ),
    );
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const fail = (err: HttpError) => {
      cleanup();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(tooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) =>
      fail(new HttpError(400, `Could not read the body: ${err.message}`));
    const onClose = () => fail(new HttpError(400, 'The client closed the request before its end'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
