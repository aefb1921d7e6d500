/**
 * The `mayros` command line. Each command group lives in its own file and registers itself here.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { ConfigError } from '../config/errors.js';
import { registerGatewayCommands } from './gateway.js';
import { registerConfigCommands } from './config.js';
import { registerSecurityCommands } from './security.js';
import { registerAuthCommands } from './auth.js';
import { registerJournalCommands } from './journal.js';
import { registerModelsCommands } from './models.js';

export function buildProgram(): Command {
  const program = new Command('mayros')
    .description('Mayros Gateway: the HTTP + WebSocket control plane of the Mayros assistant')
    .version(VERSION, '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  registerGatewayCommands(program);
  registerConfigCommands(program);
  registerSecurityCommands(program);
  registerAuthCommands(program);
  registerJournalCommands(program);
  registerModelsCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
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
