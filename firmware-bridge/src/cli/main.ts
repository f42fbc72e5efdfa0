import { Command, CommanderError } from 'commander';
import { BridgeError } from '../core/bridge-error.js';
import { processIo, type CliIo } from './cli-io.js';
import { keygenCommand } from './keygen.command.js';
import { registerCommand } from './register.command.js';
import { runCommand } from './run.command.js';
import { simulateCommand } from './simulate.command.js';
import { statusCommand } from './status.command.js';

export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command('gt-bridge')
    .description('GroundTruth firmware bridge: sensor hardware → signed readings → durable queue → MQTT')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
  keygenCommand(program, io);
  registerCommand(program, io);
  runCommand(program, io);
  statusCommand(program, io);
  simulateCommand(program, io);
  for (const command of program.commands) {
    command.exitOverride().configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
  }
  return program;
}

/** Runs the CLI; resolves to the process exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: readonly string[] = process.argv, io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  if (argv.length <= 2) {
    program.outputHelp();
    return 2;
  }
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
        ? 0
        : 2;
    }
    if (error instanceof BridgeError) {
      io.err(`gt-bridge: ${error.message}`);
      return 1;
    }
    io.err(`gt-bridge: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}
