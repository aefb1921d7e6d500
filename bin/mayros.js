#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `prepare` on `npm ci`).
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('mayros: the CLI is not built (dist/ is missing): run `npm ci` (which builds it) or `npm run build` in the checkout\n');
    process.exit(1);
  }
  throw err;
}

main(process.argv).catch((err) => {
  process.stderr.write(`mayros: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(1);
});
