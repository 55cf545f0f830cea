// One lint config for the whole repo. Type-checked rules catch what a gateway cannot afford:
// a forgotten await on a write, a promise passed where a callback is expected, a non-exhaustive switch.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noUpwardImports = (banned) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: banned.map((group) => ({
        group: [group],
        message: 'Arrows point down: see ARCHITECTURE.md.',
      })),
    },
  ],
});

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.kassa/**',
      'packages/db/drizzle/**',
      '**/*.config.*',
      'scripts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read env only in an app env.ts.' },
        { object: 'console', message: 'Use the pino logger from context.' },
      ],
    },
  },
  {
    files: ['packages/core/**'],
    rules: noUpwardImports(['@kassa/*', 'drizzle-orm*', 'postgres', '@electric-sql/*', 'pino', 'node:*']),
  },
  {
    files: ['packages/db/**'],
    rules: noUpwardImports(['@kassa/providers', '@kassa/api', '@kassa/webhooks', '@kassa/client']),
  },
  {
    files: ['packages/providers/**'],
    rules: noUpwardImports(['@kassa/db', '@kassa/api', '@kassa/webhooks']),
  },
  {
    files: [
      '**/env.ts',
      '**/*.test.ts',
      '**/test/**',
      '**/e2e/**',
      '**/testing.ts',
      '**/examples/**',
      'bench/**',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/test/**', '**/e2e/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
);
