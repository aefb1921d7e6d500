/**
 * The layering of src/ (and what the Control UI may import), checked by dependency-cruiser from
 * `npm test` (test/architecture/layers.test.ts). docs/architecture.md explains each layer.
 *
 * Lowest to highest: protocol, net (import nothing of ours) < config < auth, authz (pure
 * decisions) and store, models, journal, logs, metrics (infrastructure) < chat, reload, explain, security, probe <
 * methods < gateway < cli. A folder may import its own layer's files and anything below it.
 * Type-only imports count (a type is a dependency too). Tests are not cruised.
 */

/** Folder names, as a path pattern, of src/ folders. */
const folders = (...names) => `^src/(${names.join('|')})/`;

const ABOVE_CONFIG = ['auth', 'authz', 'store', 'models', 'journal', 'logs', 'metrics', 'chat', 'reload', 'explain', 'security', 'probe', 'methods', 'gateway', 'cli'];
const ABOVE_DECISIONS = ['chat', 'reload', 'explain', 'security', 'probe', 'methods', 'gateway', 'cli'];

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles, type-only ones included: move what two files share into a third, lower one.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'protocol-imports-nothing-of-ours',
      comment: 'src/protocol/ is the wire: the Control UI bundles it, so it imports no other src/ folder.',
      severity: 'error',
      from: { path: '^src/protocol/' },
      to: { path: '^src/', pathNot: '^src/protocol/' },
    },
    {
      name: 'net-imports-nothing-of-ours',
      comment: 'src/net/ is address arithmetic: pure, and it imports no other src/ folder.',
      severity: 'error',
      from: { path: '^src/net/' },
      to: { path: '^src/', pathNot: '^src/net/' },
    },
    {
      name: 'version-imports-nothing',
      severity: 'error',
      from: { path: '^src/version\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'config-below-everything',
      comment: 'src/config/ loads and checks the configuration; it imports only protocol/ and net/ (the models section lives in config/models-schema.ts).',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: folders(...ABOVE_CONFIG) },
    },
    {
      name: 'decisions-stay-pure',
      comment: 'auth/ and authz/ decide over plain data: never the adapters, the CLI or the layers that use them.',
      severity: 'error',
      from: { path: folders('auth', 'authz') },
      to: { path: folders('store', 'models', 'journal', 'logs', 'metrics', ...ABOVE_DECISIONS) },
    },
    {
      name: 'auth-below-authz',
      comment: 'Who you are (auth/) comes before what you may do (authz/).',
      severity: 'error',
      from: { path: '^src/auth/' },
      to: { path: '^src/authz/' },
    },
    {
      name: 'infrastructure-below-adapters',
      comment: 'store/, models/, journal/, logs/ and metrics/ are infrastructure: config, protocol and net below them, never a decision or an adapter.',
      severity: 'error',
      from: { path: folders('store', 'models', 'journal', 'logs', 'metrics') },
      to: { path: folders('auth', 'authz', ...ABOVE_DECISIONS) },
    },
    {
      name: 'services-below-methods',
      comment: 'reload/, explain/, security/ and probe/ never reach up into methods/, the gateway or the CLI (the reloader takes callbacks).',
      severity: 'error',
      from: { path: folders('chat', 'reload', 'explain', 'security', 'probe') },
      to: { path: folders('methods', 'gateway', 'cli') },
    },
    {
      name: 'methods-below-gateway',
      comment: 'A method gets what it needs through its MethodContext; the gateway dispatches to methods/, never the other way.',
      severity: 'error',
      from: { path: '^src/methods/' },
      to: { path: folders('gateway', 'cli') },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'src/cli/ is the top: only bin/ and the CLI itself import it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'ui-imports-protocol-only',
      comment: 'The Control UI imports from src/ only the wire (src/protocol/) and Node-free shared modules (the audit report shape).',
      severity: 'error',
      from: { path: '^ui/src/' },
      to: { path: '^src/', pathNot: ['^src/protocol/', '^src/security/findings\\.ts$'] },
    },
    {
      name: 'shared-with-ui-is-node-free',
      comment: 'What the Control UI imports from src/ runs in a browser: no Node built-ins, no npm package but zod.',
      severity: 'error',
      from: { path: ['^src/protocol/', '^src/security/findings\\.ts$'] },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: '^node_modules/zod/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.test\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
