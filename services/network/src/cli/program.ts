import { BridgeError } from '@groundtruth/firmware-bridge';
import { ConfigError } from '@groundtruth/service-kit';
import { Command, CommanderError } from 'commander';
import { ServiceStartError } from '../services/launchers.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { deviceCommand } from './device.command.js';
import { epochCommand } from './epoch.command.js';
import { marketCommand } from './market.command.js';
import { serveCommand } from './serve.command.js';
import { startCommand } from './start.command.js';
import { verifyExportCommand } from './verify-export.command.js';

export function buildProgram(io: CliIo): Command {
  const program = new Command('groundtruth')
    .description('GroundTruth: an open DePIN sensor data network with verifiable readings, rewards and datasets')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)');
  startCommand(program, io);
  serveCommand(program, io);
  deviceCommand(program, io);
  epochCommand(program, io);
  marketCommand(program, io);
  verifyExportCommand(program, io);
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** Runs the CLI; resolves to the exit code: 0 ok, 1 failure, 2 usage. Errors are one readable line and a hint. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
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
      return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? 0 : 2;
    }
    if (error instanceof CliError) {
      io.err(`groundtruth: ${error.message}${error.hint === undefined ? '' : `\n  hint: ${error.hint}`}`);
      return error.exitCode;
    }
    if (error instanceof ConfigError || error instanceof BridgeError || error instanceof ServiceStartError) {
      io.err(`groundtruth: ${error.message}`);
      return 1;
    }
    io.err(`groundtruth: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}
