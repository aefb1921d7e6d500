/**
 * The Node.js lines Mayros Gateway supports, and the refusal `mayros` prints on an older runtime.
 * bin/mayros.js asks this module first and loads nothing else until it has answered, so a runtime
 * that is too old gets one sentence saying what to install instead of a stack trace from deep inside
 * a dependency. Keep this file free of imports: it must load on any Node that can run ES modules.
 */

/** The LTS lines CI runs the whole test suite on, one leg each (.ci/node-lines). */
export const TESTED_NODE_LINES: readonly number[] = [20, 22, 24];

/** `mayros` refuses to start below this major (the CLI parser and the build tools need Node 20). */
export const MINIMUM_NODE_MAJOR = 20;

/**
 * Why `mayros` will not run on Node `version` (`process.versions.node`, e.g. "18.20.4"), or
 * undefined when it will. Newer and odd-numbered lines run (npm warns at install, as `engines` lists
 * only the tested lines); a version that cannot be read is refused.
 */
export function nodeRefusal(version: string, execPath: string): string | undefined {
  const major = /^(\d+)\./.exec(version)?.[1];
  if (major !== undefined && Number(major) >= MINIMUM_NODE_MAJOR) return undefined;
  const lines = TESTED_NODE_LINES.join(', ').replace(/, (\d+)$/, ' and $1');
  return (
    `Node.js ${version} (${execPath}) is not supported: Mayros Gateway needs Node.js ${MINIMUM_NODE_MAJOR} or newer ` +
    `and is tested on the LTS lines ${lines}. Install one of them, or put it first on PATH, and run mayros again.`
  );
}
