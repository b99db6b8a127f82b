import { open } from 'node:fs/promises';

/** Reads what a file gained since `offset`; returns the new bytes and the new offset. */
export async function readFrom(
  path: string,
  offset: number,
): Promise<{ data: Buffer; offset: number }> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return { data: Buffer.alloc(0), offset };
  try {
    const { size } = await fh.stat();
    if (size <= offset) return { data: Buffer.alloc(0), offset };
    const data = Buffer.alloc(size - offset);
    const { bytesRead } = await fh.read(data, 0, data.length, offset);
    return { data: data.subarray(0, bytesRead), offset: offset + bytesRead };
  } finally {
    await fh.close();
  }
}
