// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'bench/**/*.js', 'bin/**', '.scratch/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // contract and client must run in browsers and stay free of server code (architecture habit 10).
    files: ['src/contract/**/*.ts', 'src/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'contract/ and client/ run in browsers: no node:* imports.' },
            {
              group: ['**/server/**', '**/store/**', '**/domain/**', '**/graph/**', '**/cli/**'],
              message: 'contract/ and client/ import only contract/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/graph/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['fastify', '**/server/**'], message: 'graph/ and domain/ import no Fastify.' },
          ],
        },
      ],
    },
  },
);
