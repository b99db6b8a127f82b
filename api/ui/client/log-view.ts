import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';

/** Lines kept in the terminal's scrollback (long builds stay readable to the top). */
export const LOG_SCROLLBACK = 20_000;

/** The build log: an xterm.js terminal (so `\r` progress lines and colours render as in a shell) plus a plain copy for saving. */
export class LogView {
  private readonly term: Terminal;
  private readonly fit = new FitAddon();
  private readonly chunks: string[] = [];
  private lines = 0;

  constructor(private readonly container: HTMLElement) {
    this.term = new Terminal({
      convertEol: true,
      disableStdin: true,
      scrollback: LOG_SCROLLBACK,
      fontSize: 13,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
      cursorStyle: 'bar',
      cursorInactiveStyle: 'none',
      // Colours readable on the dark background (contrast ≥ 4.5:1).
      theme: {
        background: '#111827',
        foreground: '#e5e7eb',
        red: '#f87171',
        brightRed: '#fca5a5',
        yellow: '#fbbf24',
        brightYellow: '#fcd34d',
      },
    });
    this.term.loadAddon(this.fit);
    this.term.open(container);
    this.resize();
    window.addEventListener('resize', () => this.resize());
  }

  resize(): void {
    if (this.container.offsetParent !== null) this.fit.fit();
  }

  write(text: string): void {
    if (!text) return;
    this.chunks.push(text);
    this.term.write(text);
    this.lines += text.split('\n').length - 1;
    this.container.dataset.logLines = String(this.lines);
  }

  /** The whole log as plain text. */
  text(): string {
    return this.chunks.join('');
  }

  clear(): void {
    this.chunks.length = 0;
    this.lines = 0;
    this.term.reset();
    this.container.dataset.logLines = '0';
  }
}
