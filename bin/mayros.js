#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `prepare` on `npm ci`).
// The Node.js check comes first and alone: on a runtime that is too old nothing else is loaded, so
// the person sees what to install rather than a stack trace from a dependency.
let main;
try {
  const { nodeRefusal } = await import('../dist/cli/node-support.js');
  const refusal = nodeRefusal(process.versions.node, process.execPath);
  if (refusal) {
    process.stderr.write(`mayros: ${refusal}\n`);
    process.exit(1);
  }
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && /dist\/cli\/(main|node-support)\.js/.test(String(err.message))) {
    process.stderr.write('mayros: the CLI is not built (dist/ is missing): run `npm ci` (which builds it) or `npm run build` in the checkout\n');
    process.exit(1);
  }
  throw err;
}

main(process.argv).catch((err) => {
  process.stderr.write(`mayros: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
