// Lint rules, run by `npm test` (and so by CI). Besides typescript-eslint's recommended rules, they encode the
// layers of src/ (see ../shared/STYLE.md §1): which stage folders a folder may import, that another stage is
// imported only through its index.ts (shared/ has two: index.ts, and io.ts for the logger, the progress bar and
// the code version), and that the pure folders (models, preprocess, evaluation, tuning) import nothing that does I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Every top-level folder of src/, in the order data flows through them. */
const FOLDERS = [
  'config',
  'shared',
  'storage',
  'preprocess',
  'ingest',
  'warehouse',
  'features',
  'models',
  'evaluation',
  'tuning',
  'registry',
  'feedback',
  'monitoring',
  'generator',
  'pipeline',
  'orchestration',
  'serve',
  'runtime',
  'cli',
];

/** What each folder may import from the others (besides itself). cli may import everything. */
const MAY_IMPORT = {
  shared: [],
  config: ['shared'],
  storage: ['shared', 'config'],
  preprocess: ['shared'],
  warehouse: ['shared'],
  ingest: ['shared', 'config', 'storage', 'preprocess', 'warehouse'],
  features: ['shared', 'config', 'warehouse', 'models'],
  models: ['shared'],
  evaluation: ['shared', 'models'],
  tuning: ['shared', 'models'],
  // registry implements tuning's StudyStorage port on the warehouse.
  registry: ['shared', 'config', 'storage', 'warehouse', 'features', 'models', 'evaluation', 'tuning'],
  // feedback records what was served and the reactions to it in the warehouse, and ships them to sinks (Elasticsearch).
  feedback: ['shared', 'config', 'storage', 'preprocess', 'warehouse', 'registry'],
  // monitoring evaluates alert rules over metrics read from the warehouse (and from serve) and sends notifications.
  monitoring: ['shared', 'config', 'storage', 'warehouse', 'registry', 'feedback'],
  generator: ['shared', 'storage'],
  // pipeline knows the stage order: it may import every folder before it.
  pipeline: FOLDERS.slice(0, FOLDERS.indexOf('pipeline')),
  // orchestration runs the pipeline's jobs as DAGs: scheduler, run history, executors (in process or BullMQ).
  orchestration: ['shared', 'config', 'storage', 'warehouse', 'monitoring', 'pipeline'],
  serve: ['shared', 'config', 'storage', 'warehouse', 'features', 'models', 'evaluation', 'registry', 'feedback', 'monitoring'],
  runtime: ['shared', 'config', 'storage', 'warehouse'],
};

/** Modules that do I/O or hold process-wide state: never imported by the pure folders. */
const IO_MODULES = [
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
  'node:readline',
  'kysely',
  'pino',
  'better-sqlite3',
  'mysql2',
  'mysql2/promise',
  'fastify',
  'yaml',
  'commander',
];
const PURE = ['models', 'preprocess', 'evaluation', 'tuning'];
/** Sub-folders that are pure too, inside a folder that is not. */
const PURE_SUBFOLDERS = ['monitoring/alerts'];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function layerRules(folder) {
  const others = FOLDERS.filter((f) => f !== folder);
  const forbidden = folder === 'cli' ? [] : others.filter((f) => !MAY_IMPORT[folder].includes(f));
  const patterns = [
    // Another stage only through its public API: `../stage/index.ts`, never a file inside it.
    {
      regex: `^(\\.\\./)+(${others.map(escape).join('|')})/(?!index\\.ts$)${PURE.includes(folder) ? '' : '(?!(?<=shared/)io\\.ts$)'}`,
      message: 'import another stage through its index.ts (its public API), not a file inside it',
    },
  ];
  if (forbidden.length > 0) {
    patterns.push({
      regex: `^(\\.\\./)+(${forbidden.map(escape).join('|')})/`,
      message: `${folder}/ may import only ${MAY_IMPORT[folder].join(', ') || 'no other stage'} (dependencies point one way: see the layout in README.md)`,
    });
  }
  const paths = PURE.includes(folder)
    ? IO_MODULES.map((name) => ({ name, message: `${folder}/ is pure: no I/O, no logger, no database (pass data and callbacks in)` }))
    : [];
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.pickwise/**', '.bench/**', 'coverage/**', '**/*.wasm.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        structuredClone: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        WebAssembly: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
        NodeJS: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  // The dashboard's own browser scripts (plain ES modules served as they are, no build step).
  {
    files: ['src/serve/dashboard/assets/**/*.js'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', sessionStorage: 'readonly' } },
  },
  // Migrations are written against an untyped Kysely (the schema they create is not the one they start from).
  { files: ['src/warehouse/migrations/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  ...Object.keys(MAY_IMPORT)
    .concat('cli')
    .map((folder) => ({ files: [`src/${folder}/**/*.ts`], ignores: ['**/*.test.ts', '**/*.contract.ts'], rules: layerRules(folder) })),
  // The pure sub-folders keep their folder's layer rules and add the ban on I/O modules.
  ...PURE_SUBFOLDERS.map((sub) => {
    const folder = sub.split('/')[0];
    const base = layerRules(folder)['no-restricted-imports'][1];
    const paths = IO_MODULES.map((name) => ({ name, message: `${sub}/ is pure: no I/O, no logger, no database (pass data and callbacks in)` }));
    const patterns = [...base.patterns, { regex: '^\\.\\./(?!\\.\\./)', message: `${sub}/ is pure: it imports only itself, shared/index.ts and config types` }];
    return { files: [`src/${sub}/**/*.ts`], ignores: ['**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { paths, patterns }] } };
  }),
);
