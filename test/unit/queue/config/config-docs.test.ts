import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../queue/config/index.js';

// docs/configuration.md must name every class and trait the schema accepts.
describe('docs/configuration.md', () => {
  const doc = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');
  const config = parseConfig({}) as unknown as Record<string, Record<string, unknown>>;

  it.each(Object.keys(config))('documents %s and each of its traits', (cls) => {
    expect(doc).toContain(cls);
    const missing = Object.keys(config[cls]!).filter(
      (trait) =>
        !doc.includes(`\`${trait}\``) &&
        !doc.includes(`\`${cls}.${trait}\``) &&
        !doc.includes(`${trait}\``),
    );
    expect(missing, `${cls}: undocumented traits`).toEqual([]);
  });
});
