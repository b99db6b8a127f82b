import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/runners/**'],
              message: 'api/ must not import runners/; share through queue/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['runners/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/api/**'],
              message: 'runners/ must not import api/; share through queue/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bench/**/*.ts', 'scripts/**/*.{ts,mjs,js}', 'bin/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
