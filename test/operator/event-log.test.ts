import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { emitLaunchEvent, launchOrigins } from '../../api/event-log/launch-event-emitter.js';
import { parseConfig } from '../../queue/config/index.js';
import {
  BUILD_SCHEMA,
  buildEndEvent,
  buildEventFieldsSchema,
  buildStartEvent,
  capsuleTimestamp,
  createEventLog,
  LAUNCH_PROVIDERS,
  LAUNCH_SCHEMA,
  launchEvent,
  launchEventFieldsSchema,
} from '../../queue/event-log/index.js';
import { createLogger, type BuildJob } from '../../queue/index.js';

const schemaDir = fileURLToPath(new URL('../../queue/event-log/schemas/', import.meta.url));
const loadSchema = async (name: string) =>
  JSON.parse(await readFile(join(schemaDir, name), 'utf8')) as Record<string, unknown>;

/** Validator built from the shipped JSON schema file itself (not from our zod mirror). */
async function fileValidator(name: string) {
  const schema = await loadSchema(name);
  const { $id: _id, version: _version, ...rest } = schema;
  return z.fromJSONSchema(rest as Parameters<typeof z.fromJSONSchema>[0]);
}

/** Splits a capsule into its reserved fields and the event's own fields. */
function fieldsOf(capsule: object) {
  const { timestamp, schema, version, ...fields } = capsule as Record<string, unknown>;
  return { timestamp, schema, version, fields };
}

const quiet = createLogger({ level: 'silent' });
const job: BuildJob = {
  buildName: 'build-binder-2dexamples-2drequirements-abc123',
  image: '127.0.0.1:5000/binder-binder-2dexamples-2drequirements:0123456789abcdef',
  provider: 'git',
  providerName: 'Git',
  spec: 'https%3A%2F%2Fexample.org%2Frepo.git/HEAD',
  resolvedSpec: 'https%3A%2F%2Fexample.org%2Frepo.git/0123456789abcdef',
  repoUrl: 'https://someone:s3cret-token@example.org/repo.git',
  ref: '0123456789abcdef0123456789abcdef01234567',
  trigger: 'launch',
  requestedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
};

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('launch events (binderhub.jupyter.org/launch v6)', () => {
  const fields = {
    provider: 'GitHub',
    spec: 'binder-examples/requirements/HEAD',
    ref: 'a'.repeat(40),
    status: 'success' as const,
    build_token: true,
    origin: 'binder.example.org',
    request_origin: 'https://binder.example.org',
  };

  it("capsule is upstream's: flat, microsecond UTC timestamp, schema and version 6", () => {
    const at = new Date(Date.UTC(2026, 4, 6, 7, 8, 9, 12));
    const event = launchEvent(fields, at);
    expect(event).toEqual({
      timestamp: '2026-05-06T07:08:09.012000Z',
      schema: 'binderhub.jupyter.org/launch',
      version: 6,
      ...fields,
    });
    expect(Object.keys(event).slice(0, 3)).toEqual(['timestamp', 'schema', 'version']);
    expect(capsuleTimestamp(new Date(0))).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('validates against the shipped JSON schema file', async () => {
    const validate = await fileValidator('launch.json');
    const { fields: own } = fieldsOf(launchEvent(fields));
    expect(validate.safeParse(own).success).toBe(true);
    for (const provider of LAUNCH_PROVIDERS) {
      expect(validate.safeParse({ ...own, provider }).success).toBe(true);
    }
    // The file's rules bite: unknown provider, bad status, non-boolean build_token.
    expect(validate.safeParse({ ...own, provider: 'Bitbucket' }).success).toBe(false);
    expect(validate.safeParse({ ...own, status: 'ok' }).success).toBe(false);
    expect(validate.safeParse({ ...own, build_token: 'yes' }).success).toBe(false);
  });

  it('the zod mirror and the JSON schema file agree', async () => {
    const file = await loadSchema('launch.json');
    expect(file.$id).toBe(LAUNCH_SCHEMA);
    expect(file.version).toBe(6);
    const props = file.properties as Record<string, { enum?: string[]; type?: string }>;
    expect(Object.keys(props).sort()).toEqual(Object.keys(launchEventFieldsSchema.shape).sort());
    expect(props.provider?.enum).toEqual([...LAUNCH_PROVIDERS]);
    expect(props.status?.enum).toEqual(['success', 'failure']);
    for (const reserved of ['timestamp', 'schema', 'version'])
      expect(props).not.toHaveProperty(reserved);
    const fromFile = await fileValidator('launch.json');
    const samples: unknown[] = [
      { ...fields },
      { ...fields, provider: 'SWHID' },
      { ...fields, status: 'failure' },
      { ...fields, ref: 42 },
      { ...fields, extra: 'allowed' },
      { ...fields, build_needed: false, launch_seconds: 0.5, pooled: true },
      { ...fields, launch_seconds: -2 },
      {},
    ];
    for (const s of samples) {
      expect(launchEventFieldsSchema.safeParse(s).success, JSON.stringify(s)).toBe(
        fromFile.safeParse(s).success,
      );
    }
  });

  it('timing fields are additions to v6 that an upstream v6 reader ignores', async () => {
    const timing = {
      build_needed: true,
      build_seconds: 12.3456,
      launch_seconds: 0.0214,
      total_seconds: 13.01,
      pooled: false,
    };
    const event = launchEvent({ ...fields, ...timing });
    expect(event).toMatchObject({
      version: 6,
      ...fields,
      build_seconds: 12.346,
      launch_seconds: 0.021,
    });
    expect(Object.keys(event).slice(3, 10)).toEqual(Object.keys(fields));
    // Upstream's v6 file: the same schema without binderhub-ts's properties.
    const file = await loadSchema('launch.json');
    const props = { ...(file.properties as Record<string, unknown>) };
    for (const k of Object.keys(timing)) delete props[k];
    const {
      $id: _i,
      version: _v,
      ...rest
    } = { ...file, properties: props } as Record<string, unknown>;
    const upstream = z.fromJSONSchema(rest as Parameters<typeof z.fromJSONSchema>[0]);
    expect(upstream.safeParse(fieldsOf(event).fields).success).toBe(true);
    const ours = await fileValidator('launch.json');
    expect(ours.safeParse(fieldsOf(event).fields).success).toBe(true);
    expect(ours.safeParse({ ...fields, build_seconds: -1 }).success).toBe(false);
    expect(ours.safeParse({ ...fields, pooled: 'yes' }).success).toBe(false);
    expect(launchEventFieldsSchema.safeParse({ ...fields, pooled: 'yes' }).success).toBe(false);
    // Without timing (an event written by code that has none) the seven fields stay alone.
    expect(Object.keys(fieldsOf(launchEvent(fields)).fields)).toEqual(Object.keys(fields));
  });

  it('origin fields follow upstream: normalized_origin, else Host; Origin, else Sec-Fetch-Site, else ""', () => {
    const headers = (h: Record<string, string>) => (name: string) => h[name];
    expect(launchOrigins(headers({ host: 'h:8585', origin: 'https://a.org' }), '')).toEqual({
      origin: 'h:8585',
      request_origin: 'https://a.org',
    });
    expect(
      launchOrigins(headers({ host: 'h', 'sec-fetch-site': 'same-origin' }), 'mybinder.org'),
    ).toEqual({
      origin: 'mybinder.org',
      request_origin: 'same-origin',
    });
    expect(launchOrigins(headers({ host: 'h' }), '')).toEqual({ origin: 'h', request_origin: '' });
  });

  it('stdout sink: one JSON line per launch; an event off-schema is dropped, not thrown', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const config = parseConfig({ EventLog: { sink: 'stdout' } }).EventLog;
    const log = createEventLog({ config, log: quiet, stdout: out });
    const written = emitLaunchEvent(log, '', {
      providerName: 'Git',
      spec: job.spec,
      ref: job.ref,
      buildToken: false,
      header: (n) => ({ host: '127.0.0.1:8585', 'sec-fetch-site': 'same-origin' })[n],
    });
    expect(written?.request_origin).toBe('same-origin');
    expect(log.emitLaunch({ ...fields, provider: 'NotAProvider' })).toBeUndefined();
    await log.close();
    const lines = chunks.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const validate = await fileValidator('launch.json');
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(parsed.schema).toBe(LAUNCH_SCHEMA);
    expect(validate.safeParse(fieldsOf(parsed).fields).success).toBe(true);
  });

  it("sink none writes nothing and says it's off", () => {
    const log = createEventLog({ config: parseConfig({}).EventLog, log: quiet });
    expect(log.enabled).toBe(false);
    expect(log.emitLaunch(fields)).toBeUndefined();
  });
});

describe('build events (binderhub-ts/build v1)', () => {
  it('start and end validate against build.json; credentials never appear', async () => {
    const validate = await fileValidator('build.json');
    const start = buildStartEvent(job, { runner: 'r1', queueWaitMs: 1234 });
    const end = buildEndEvent(job, {
      runner: 'r1',
      outcome: 'failure',
      durationMs: 65_432,
      message: `clone of ${job.repoUrl} failed: ${'x'.repeat(900)}`,
    });
    for (const e of [start, end]) {
      expect(e.schema).toBe(BUILD_SCHEMA);
      const { fields } = fieldsOf(e);
      expect(validate.safeParse(fields).success).toBe(true);
      expect(buildEventFieldsSchema.safeParse(fields).success).toBe(true);
      expect(JSON.stringify(e)).not.toContain('s3cret-token');
    }
    expect(start.queue_wait_seconds).toBe(1.234);
    expect(end).toMatchObject({
      event: 'end',
      outcome: 'failure',
      duration_seconds: 65.432,
      trigger: 'launch',
    });
    expect(end.message!.length).toBeLessThanOrEqual(500);
    // The file rejects what the builder never writes.
    expect(validate.safeParse({ ...fieldsOf(end).fields, outcome: 'maybe' }).success).toBe(false);
    expect(validate.safeParse({ ...fieldsOf(end).fields, surprise: 1 }).success).toBe(false);
  });

  it('file sink appends JSON lines (and creates the folder)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bhts-events-'));
    dirs.push(dir);
    const path = join(dir, 'nested', 'events.jsonl');
    const config = parseConfig({ EventLog: { sink: 'file', path } }).EventLog;
    const first = createEventLog({ config, log: quiet });
    first.emitBuild(buildStartEvent(job, { runner: 'r1', queueWaitMs: 5 }));
    await first.close();
    const second = createEventLog({ config, log: quiet });
    second.emitBuild(buildEndEvent(job, { runner: 'r1', outcome: 'success', durationMs: 10 }));
    await second.close();
    const lines = (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event)).toEqual(['start', 'end']);
  });

  it('EventLog.build_events: false keeps build events out', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    const config = parseConfig({ EventLog: { sink: 'stdout', build_events: false } }).EventLog;
    const log = createEventLog({ config, log: quiet, stdout: out });
    log.emitBuild(buildStartEvent(job, { runner: 'r1', queueWaitMs: 5 }));
    await log.close();
    expect(text).toBe('');
  });
});
