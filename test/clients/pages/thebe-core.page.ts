/**
 * Browser page: thebe-core 0.5.0, unchanged, as MyST and Jupyter Book drive it: Binder
 * options (binderUrl, repo, ref, repoProvider), connect through Binder, start a kernel
 * session, run a cell, read its outputs.
 */
import {
  ThebeEvents,
  ThebeEventType,
  ThebeNotebook,
  ThebeServer,
  makeConfiguration,
  makeRenderMimeRegistry,
} from 'thebe-core';

export interface ThebeRun {
  binderUrl: string;
  /** The repository URL (repoProvider `git`). */
  repo: string;
  ref: string;
  source: string;
}

export interface ThebeResult {
  outputs: unknown[];
  /** Status and error messages thebe-core emitted, in order. */
  log: string[];
  userServerUrl?: string;
  error?: string;
}

async function connect(o: ThebeRun, log: string[]): Promise<ThebeServer> {
  const events = new ThebeEvents();
  events.on(ThebeEventType.status, (_e, data) =>
    log.push(`${Math.round(performance.now())} ${data.status}: ${data.message}`),
  );
  events.on(ThebeEventType.error, (_e, data) =>
    log.push(`${Math.round(performance.now())} error ${data.status}: ${data.message}`),
  );
  const config = makeConfiguration(
    {
      binderOptions: { binderUrl: o.binderUrl, repo: o.repo, ref: o.ref, repoProvider: 'git' },
      savedSessionOptions: { enabled: false },
      kernelOptions: { kernelName: 'python3' },
    },
    events,
  );
  const server = new ThebeServer(config);
  await server.connectToServerViaBinder();
  await server.ready;
  return server;
}

async function run(o: ThebeRun): Promise<ThebeResult> {
  const log: string[] = [];
  try {
    const server = await connect(o, log);
    const rendermime = makeRenderMimeRegistry();
    const notebook = ThebeNotebook.fromCodeBlocks(
      [{ id: 'cell-1', source: o.source }],
      server.config,
      rendermime,
    );
    const session = await server.startNewSession(rendermime);
    if (!session) throw new Error('thebe-core started no kernel session');
    notebook.attachSession(session);
    await notebook.executeAll();
    const outputs = notebook.cells[0]?.outputs ?? [];
    await session.shutdown();
    return { outputs, log, userServerUrl: server.userServerUrl };
  } catch (err) {
    return { outputs: [], log, error: err instanceof Error ? err.message : String(err) };
  }
}

declare global {
  interface Window {
    /** What the test calls (thebe-core itself owns `window.thebeCore`). */
    thebePage: { run: typeof run };
  }
}

window.thebePage = { run };
