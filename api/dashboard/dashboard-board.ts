import { createBullBoard } from '@bull-board/api';
import type { IServerAdapter } from '@bull-board/api/typings/app';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler } from 'express';
import { bullBoardQueue } from '../../queue/bull-board-queue.js';
import type { BuildQueue } from '../../queue/index.js';
import type { DashboardRole } from './dashboard-credentials.js';
import { formatJobData } from './job-data-formatter.js';

export interface BoardOptions {
  buildQueue: BuildQueue;
  role: DashboardRole;
  /** Full URL path the dashboard answers at (BinderHub.base_url + Dashboard.path). */
  basePath: string;
  title: string;
  /** Where a build's log page is: `<logBaseUrl><build name>` (shown in each job's data). */
  logBaseUrl?: string;
  /** Links in the board's header menu (the launch pool's page). */
  links?: Array<{ text: string; url: string }>;
}

/**
 * One bull-board for one role, as Express middleware. Viewers get bull-board's read-only
 * mode (no retry, promote, clean, remove; its API answers 405 to those); admins get
 * everything but retrying completed builds (their image exists, so it is pointless).
 */
export function createBoard(opts: BoardOptions): RequestHandler {
  const readOnly = opts.role === 'viewer';
  // `allowCompletedRetries` is read by bull-board's base adapter, not typed on BullMQ's.
  const adapterOptions = {
    readOnlyMode: readOnly,
    allowRetries: !readOnly,
    allowCompletedRetries: false,
    description:
      'Image builds. Job name: provider/spec@ref. Interactive launches run before webhook pre-builds.',
  };
  const adapter = new BullMQAdapter(bullBoardQueue(opts.buildQueue), adapterOptions);
  adapter.setFormatter('data', (data: unknown) => formatJobData(data, opts.logBaseUrl));
  const server = new ExpressAdapter().setBasePath(opts.basePath);
  createBullBoard({
    queues: [adapter],
    // @bull-board/express pins @bull-board/api 9.10.1 for its typings (9.10.2 here): the
    // classes match at run time, but TypeScript sees two declarations of BaseAdapter.
    serverAdapter: server as unknown as IServerAdapter,
    options: {
      uiConfig: {
        boardTitle: opts.title,
        hideDocsLink: true,
        miscLinks: opts.links ?? [],
        environment: readOnly
          ? { label: 'read-only', color: '#4b5563', textColor: '#ffffff' }
          : { label: 'admin', color: '#b45309', textColor: '#ffffff' },
      },
    },
  });
  const app = server.getRouter() as import('express').Express;
  app.disable('x-powered-by');
  return mounted(app);
}

/**
 * Runs a sub-application as middleware the way Express mounts one (`app.use(subApp)`):
 * the sub-app swaps the request's prototypes for its own while it handles it, so they
 * are put back before the request goes on.
 */
function mounted(app: import('express').Express): RequestHandler {
  const handle = (app as unknown as { handle: RequestHandler }).handle.bind(app);
  return (req, res, next) => {
    const reqProto = Object.getPrototypeOf(req) as object;
    const resProto = Object.getPrototypeOf(res) as object;
    handle(req, res, (err?: unknown) => {
      Object.setPrototypeOf(req, reqProto);
      Object.setPrototypeOf(res, resProto);
      next(err);
    });
  };
}
