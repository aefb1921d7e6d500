/**
 * The `mayros` command line. Each command group lives in its own file and registers itself here.
 * A group's module (and what it imports: the config schema, the server, SQLite) is loaded only when
 * that group runs, so `mayros journal verify` starts without the gateway's code; help, a version
 * request or an unknown group load them all.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { ConfigError } from '../config/errors.js';

type Register = (program: Command) => void;

/** The command groups in help order, each with the module that registers it. */
const GROUPS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ['gateway', async () => (await import('./gateway.js')).registerGatewayCommands],
  ['config', async () => (await import('./config.js')).registerConfigCommands],
  ['security', async () => (await import('./security.js')).registerSecurityCommands],
  ['auth', async () => (await import('./auth.js')).registerAuthCommands],
  ['journal', async () => (await import('./journal.js')).registerJournalCommands],
  ['models', async () => (await import('./models.js')).registerModelsCommands],
];

/** The group `argv` (node, script, args...) runs, when its first argument names one. */
export function groupOf(argv: readonly string[]): string | undefined {
  const first = argv[2];
  return GROUPS.some(([name]) => name === first) ? first : undefined;
}

/** The program with every group, or only `only` (the one about to run). */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('mayros')
    .description('Mayros Gateway: the HTTP + WebSocket control plane of the Mayros assistant')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  const chosen = GROUPS.filter(([name]) => only === undefined || name === only);
  for (const register of await Promise.all(chosen.map(([, load]) => load()))) register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    const program = await buildProgram(groupOf(argv));
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`mayros: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}
