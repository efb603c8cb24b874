// ESLint (flat config): typescript-eslint's recommended rules on every TypeScript and JavaScript file of ours.
// Formatting is Prettier's (.prettierrc.json, 120 columns); `npm run lint` runs both, test/lint.test.ts keeps
// them in `npm test`.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'build/**',
      'native/build/**',
      'coverage/**',
      '.data/**',
      'src/core/kernels/simd-wasm.generated.ts',
      'assembly/**',
      'clients/**',
      'openapi/**',
      'test/fixtures/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        WebAssembly: 'readonly',
        AbortController: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
        globalThis: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    plugins: { '@stylistic': stylistic },
    rules: {
      // 120 columns; Prettier wraps code, comments are wrapped by hand. Long strings (messages, test names), URLs,
      // and Markdown-style table rows in comments may run over rather than be cut.
      '@stylistic/max-len': [
        'error',
        {
          code: 120,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreUrls: true,
          ignorePattern: '^\\s*(\\*|//)\\s*\\|',
        },
      ],
      // tsc's noUnusedLocals / noUnusedParameters already keep the tree free of unused names
      '@typescript-eslint/no-unused-vars': 'off',
      // the core's hot loops and the typed worker protocol use `as` deliberately; `any` must still be justified
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
  {
    // tests and benchmarks read arbitrary JSON bodies and reach into internals on purpose
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['scripts/browser-page.mjs', 'scripts/check-*-in-browser.mjs'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly' } },
  },
);
