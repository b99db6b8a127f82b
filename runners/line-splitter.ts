/** One line of a byte stream: its text (without the newline) and where it ends. */
export interface SplitLine {
  text: string;
  /** Byte offset just after the line (after its newline), counted from the stream's start. */
  end: number;
}

/**
 * Splits a byte stream into lines: `push` each chunk, `end` at the close. Lines are cut on
 * bytes, so a UTF-8 character split between two chunks stays whole, and each line says
 * where it ends in the stream (a position that is the same however the stream was chunked).
 */
export class LineSplitter {
  /** Bytes after the last newline (a line still being written). */
  private rest = Buffer.alloc(0);
  private offset: number;

  /** `startOffset`: the byte offset of the first chunk in the stream (reading from the middle). */
  constructor(startOffset = 0) {
    this.offset = startOffset;
  }

  /** The lines the chunk completes, in order. */
  push(chunk: Buffer | string): SplitLine[] {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const data = this.rest.length > 0 ? Buffer.concat([this.rest, bytes]) : bytes;
    const start = this.offset - this.rest.length;
    this.offset += bytes.length;
    const lines: SplitLine[] = [];
    let from = 0;
    for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, from)) {
      lines.push({ text: data.toString('utf8', from, nl), end: start + nl + 1 });
      from = nl + 1;
    }
    this.rest = Buffer.from(data.subarray(from));
    return lines;
  }

  /** The last line when the stream ended without a newline after it; undefined when none. */
  end(): SplitLine | undefined {
    if (this.rest.length === 0) return undefined;
    const last = { text: this.rest.toString('utf8'), end: this.offset };
    this.rest = Buffer.alloc(0);
    return last;
  }
}
