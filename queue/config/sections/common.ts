import { z } from 'zod';

/** Seconds, a non-negative integer. */
export const seconds = () => z.number().int().nonnegative();

/** Regex strings (validated as regexes so a typo fails at start-up, not at request time). */
export const regexList = () =>
  z.array(
    z.string().refine(
      (s) => {
        try {
          new RegExp(s, 'i');
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be a valid regular expression' },
    ),
  );

/** Traits every RepoProvider class has upstream. */
export const repoProviderTraits = {
  banned_specs: regexList().default([]),
  allowed_specs: regexList().default([]),
  high_quota_specs: regexList().default([]),
  spec_config: z
    .array(z.object({ pattern: z.string(), config: z.record(z.string(), z.unknown()) }).strict())
    .default([]),
  git_credentials: z.string().default(''),
};
