// ESLint flat config. The type-aware rules of typescript-eslint guard what matters most in an async Action
// and CLI: a promise nobody awaits (an unhandled rejection, a step that ends before its work is done), a
// promise passed where the callee ignores the result (an async event handler), an await on a non-promise.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node's globals, for the plain .js/.mjs scripts (no `globals` package: one list, kept short). */
const NODE_GLOBALS = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'performance',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'structuredClone',
    'fetch',
    'AbortController',
    'AbortSignal',
    'TextDecoder',
    'TextEncoder',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  // fixtures/ is data: code of pull requests under analysis, often deliberately wrong.
  { ignores: ['dist/**', 'node_modules/**', 'bench/peers/**', '.bench/**', 'fixtures/**', 'coverage/**'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        projectService: true, // tsconfig.json includes bench/*.ts, so every linted file is in the project
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // A few deliberate `any`s at untyped boundaries (Octokit responses, the OpenAPI test server).
      '@typescript-eslint/no-explicit-any': 'off',
      // Warn: dead code to clean up, not a reason to fail CI while other branches still touch those files.
      '@typescript-eslint/no-unused-vars': ['warn', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Named imports of a CommonJS package become calls of a getter that the bundle shares across packages;
      // the YAML readers' calls through it slowed every later ts-morph access (see src/core/yaml-library.ts and
      // src/core/ts-morph-library.ts).
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'yaml',
              allowTypeImports: true,
              message: "import yaml's functions from src/core/yaml-library.ts (named imports of 'yaml' slow the bundle down)",
            },
            {
              name: 'ts-morph',
              allowTypeImports: true,
              message: "import ts from src/core/ts-morph-library.ts (named imports of 'ts-morph' slow the bundle down)",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/yaml-library.ts', 'src/core/ts-morph-library.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: NODE_GLOBALS },
  },
);
