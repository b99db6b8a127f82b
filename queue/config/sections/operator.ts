import { z } from 'zod';

/** `Dashboard.*` — the operator queue dashboard (bull-board). Off until a token is set. */
export const dashboardSection = z
  .object({
    path: z.string().default('/admin/queues'),
    admin_token: z.string().default(''),
    viewer_token: z.string().default(''),
  })
  .strict();

/** `EventLog.*` — `binderhub.jupyter.org/launch` events and build events as JSON lines. */
export const eventLogSection = z
  .object({
    sink: z.enum(['none', 'stdout', 'file']).default('none'),
    path: z.string().default(''),
  })
  .strict();
