import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config-error.js';
import { DEPRECATED_KEYS } from './deprecated-keys.js';
import { envOverrides } from './env-overrides.js';
import { configSchema, type Config } from './schema.js';

type Raw = Record<string, Record<string, unknown>>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a YAML or JSON file; accepts upstream's chart shape (`config:` wrapping the classes). */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  if (doc == null) return {};
  if (isObject(doc) && Object.keys(doc).length === 1 && isObject(doc.config)) return doc.config;
  return doc;
}

function normalise(input: unknown, env: NodeJS.ProcessEnv): Raw {
  if (!isObject(input))
    throw new ConfigError('config must be a mapping of ClassName: {trait: value}');
  const raw: Raw = {};
  for (const [cls, traits] of Object.entries(input)) {
    if (!isObject(traits)) throw new ConfigError(`${cls}: expected a mapping of traits`);
    raw[cls] = { ...traits };
  }
  for (const [old, [cls, trait]] of Object.entries(DEPRECATED_KEYS)) {
    const [oldCls, oldTrait] = old.split('.') as [string, string];
    const bucket = raw[oldCls];
    if (bucket && oldTrait in bucket) {
      (raw[cls] ??= {})[trait] ??= bucket[oldTrait];
      delete bucket[oldTrait];
    }
  }
  for (const [cls, trait, value] of envOverrides(env)) (raw[cls] ??= {})[trait] = value;
  return raw;
}

/** Validates a configuration object; every problem is reported as `Class.trait: what is expected`. */
export function parseConfig(input: unknown, env: NodeJS.ProcessEnv = {}): Config {
  const result = configSchema.safeParse(normalise(input, env));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((k) => `${[...path, k].join('.')}: unknown ${path.length ? 'trait' : 'class'}`)
        .join('; ');
    }
    return `${path.join('.') || '(root)'}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, problems);
}

/** Loads the file (if any), applies environment variables, validates once. */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  return parseConfig(path ? readConfigFile(path) : {}, env);
}
