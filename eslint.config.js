import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const BULLMQ = {
  name: 'bullmq',
  message: 'BullMQ stays inside queue/: use BuildQueue, createBuildWorker or bullBoardQueue.',
};
const BULLMQ_MEMBER = {
  selector: "MemberExpression[property.name='bullmq']",
  message:
    "BuildQueue.bullmq is for queue/ and tests: use BuildQueue's methods (or bullBoardQueue).",
};
// The fakes beside the seams (docs/testing.md) are for tests; only the composition root
// that picks a backend by configuration (`Runner.backend: fake`) may name one.
const FAKES = {
  group: ['**/fake-*', '**/fake/**'],
  message: 'Fakes are for tests: reach one only through configuration or injection.',
};
const importsOf = (other, self) => ({
  group: [`**/${other}/**`],
  message: `${self}/ must not import ${other}/; share through queue/.`,
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.stack/', 'test-artifacts/', 'api/ui/static/'] },
  js.configs.recommended,
  {
    languageOptions: {
      globals: { URL: 'readonly', process: 'readonly', Buffer: 'readonly', fetch: 'readonly' },
    },
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  // api/ and runners/ meet only through queue/; BullMQ stays inside queue/ (BuildQueue,
  // createBuildWorker, bullBoardQueue). Tests and benchmarks may use BullMQ directly: they
  // forge and inspect jobs and run stand-in workers, which product code must never do.
  {
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [BULLMQ], patterns: [importsOf('runners', 'api'), FAKES] },
      ],
      'no-restricted-syntax': ['error', BULLMQ_MEMBER],
    },
  },
  {
    files: ['runners/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [BULLMQ], patterns: [importsOf('api', 'runners'), FAKES] },
      ],
      'no-restricted-syntax': ['error', BULLMQ_MEMBER],
    },
  },
  {
    files: ['runners/create-backend.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [BULLMQ], patterns: [importsOf('api', 'runners')] },
      ],
    },
  },
  {
    files: ['queue/**/*.ts'],
    // the fakes themselves, and the config section that scripts the fake backend
    ignores: ['queue/**/fake-*.ts', 'queue/config/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [FAKES] }] },
  },
  {
    files: ['bin/**/*.ts', 'scripts/**/*.{ts,mjs,js}'],
    rules: {
      'no-restricted-imports': ['error', { paths: [BULLMQ], patterns: [FAKES] }],
      'no-restricted-syntax': ['error', BULLMQ_MEMBER],
    },
  },
  {
    files: ['bench/**/*.ts', 'scripts/**/*.{ts,mjs,js}', 'bin/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
