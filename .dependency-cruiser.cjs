// @ts-check
/**
 * The layering of src/ (ARCHITECTURE.md): each folder may import only from itself and the folders
 * listed for it. The table is a DAG, lowest layer first; `npm run lint:deps` (part of `npm test`)
 * enforces it on relative imports as well as package ones.
 */
const LAYERS = {
  core: [],
  data: ['core'],
  control: ['core'],
  config: ['core', 'control', 'data'],
  engines: ['core', 'data'],
  train: ['core'],
  operators: ['core', 'control'],
  metrics: ['core'],
  store: ['core', 'control', 'engines'],
  report: ['core', 'data', 'store'],
  live: ['core'],
  page: [],
  server: ['core', 'config', 'metrics', 'live', 'page'],
  run: [
    'core',
    'data',
    'control',
    'config',
    'engines',
    'train',
    'operators',
    'metrics',
    'store',
    'report',
    'server',
    'live',
  ],
  tfjs: ['core', 'control', 'config', 'run', 'engines', 'data', 'report'],
  sweep: ['core', 'config', 'data', 'run', 'store', 'report', 'server', 'metrics'],
  cli: ['core', 'config', 'data', 'control', 'engines', 'run', 'report', 'store', 'sweep', 'server', 'metrics'],
};

// Not enumerable: dependency-cruiser validates its own keys; tests read the table from here.
Object.defineProperty(module.exports, 'LAYERS', { value: LAYERS, enumerable: false });

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `layer-${layer}`,
  comment: `src/${layer}/ may import only from ${[layer, ...allowed].map((l) => `src/${l}/`).join(', ')} (see ARCHITECTURE.md)`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/`, pathNot: [`^src/(${[layer, ...allowed].join('|')})/`] },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
Object.assign(module.exports, {
  forbidden: [
    ...layerRules,
    {
      name: 'unknown-folder',
      comment: 'every folder of src/ has a row in the layer table of .dependency-cruiser.cjs and ARCHITECTURE.md',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: [`^src/(${Object.keys(LAYERS).join('|')})/`] },
      to: {},
    },
    {
      name: 'nothing-imports-the-entry-points',
      comment: 'src/index.ts and the subpath entry points are for users only',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'control-is-pure',
      comment: 'src/control/ maps (state, measurement) to (state, sigma): no tensors, streams, HTTP, metrics or I/O',
      severity: 'error',
      from: { path: '^src/control/' },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'tensors-end-at-the-engines',
      comment: 'EpochEvent holds plain numbers; only the engines and the tfjs adapter import tfjs',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/engines/tfjs/', '^src/tfjs/'] },
      to: { path: '@tensorflow' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
});
