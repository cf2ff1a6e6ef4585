// The layers of src/ (docs/architecture.md), lowest first. A folder may import
// from its own layer and any lower one, never from a higher one: type-only
// imports count too. `npm run lint` runs these rules; tests are left out of
// the layer rules (a test may reach anything it exercises).
/** @type {string[][]} */
const LAYERS = [
  ['internal'], // primitives without I/O: errors, clock, event bus, the Logger interface, redaction
  ['domain'], // pure code: ranges, partitioning, calendars, schedules, source health
  ['coverage', 'sources', 'logging', 'host'], // coverage per dataset; the Source contract and adapters; the JSON logger; /proc probes of lease holders
  ['config'], // schema, compile, load; the job function's signature
  ['store'], // the Store contract, the store part contract, the SQLite and PostgreSQL adapters
  ['ingest'], // validation, the ingestor, a dataset at run time
  ['backfill'], // worker, feeder, plans
  ['http'], // the route kit every module contributes routes with
  ['core'], // the core loop, the module contract, the core's job kinds
  ['scheduler', 'alerts', 'checks', 'streams', 'rollups', 'archive'], // modules (capabilities)
  ['engine'], // the composition root: core + modules
  ['server', 'demo'], // the HTTP app, metrics, dashboard; the demo
  ['cli'], // the command line
];

/** Capability folders: each talks to the others through the event bus and the store only. */
const MODULES = LAYERS[9];

const NOT_A_TEST = '\\.test\\.ts$';
const folders = (names) => `^src/(${names.join('|')})/`;

const layerRules = LAYERS.slice(0, -1).map((layer, i) => {
  const higher = LAYERS.slice(i + 1).flat();
  return {
    name: `layer-${layer.join('-')}`,
    comment: `${layer.join(', ')} may not import from a higher layer (${higher.join(', ')})`,
    severity: 'error',
    from: { path: folders(layer), pathNot: NOT_A_TEST },
    to: { path: folders(higher) },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'an import cycle (type-only imports included): break it by moving the shared type down a layer',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'no-module-to-module',
      comment: 'a module may not import another module: they talk through the event bus and the store',
      severity: 'error',
      from: { path: folders(MODULES), pathNot: NOT_A_TEST },
      to: { path: folders(MODULES), pathNot: '^src/$1/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to no file (a typo, or a package not installed)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports are dependencies too: a cycle through types still ties layers together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
