/**
 * The environment of a child process a test starts: nothing of the runner's MAYROS_* settings (or
 * colour settings) leaks in, so a developer's shell cannot change what a suite sees.
 */

export interface CleanEnvOptions {
  /** Inherit only PATH (and SYSTEMROOT) from the runner, instead of everything but MAYROS_*. */
  minimal?: boolean;
  /** Point HOME and MAYROS_STATE_DIR at this directory. */
  stateDir?: string;
}

const COLOUR = new Set(['NO_COLOR', 'FORCE_COLOR']);

/** The runner's environment minus MAYROS_*, NO_COLOR and FORCE_COLOR (or only PATH), plus `extra`. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}, opts: CleanEnvOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  if (opts.minimal) {
    for (const k of ['PATH', 'SYSTEMROOT']) if (process.env[k] !== undefined) env[k] = process.env[k];
  } else {
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('MAYROS_') && !COLOUR.has(k)) env[k] = v;
  }
  if (opts.stateDir !== undefined) Object.assign(env, { HOME: opts.stateDir, MAYROS_STATE_DIR: opts.stateDir });
  return { ...env, ...extra };
}
