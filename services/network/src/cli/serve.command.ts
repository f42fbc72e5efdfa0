import type { Command } from 'commander';
import { isServiceName, launchService, SERVICE_NAMES } from '../services/launchers.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { waitForShutdownSignal } from './signals.js';

export function serveCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description(
      `run one service as its own process, configured by its environment variables (${SERVICE_NAMES.join(', ')}); ` +
        'see the configuration reference in the README',
    )
    .argument('<service>', SERVICE_NAMES.join(' | '))
    .action(async (name: string) => {
      if (!isServiceName(name)) {
        throw new CliError(`unknown service "${name}"`, `choose one of ${SERVICE_NAMES.join(', ')}`, 2);
      }
      const service = await launchService(name, io.env);
      io.err(`${name} running${service.url === undefined ? '' : ` at ${service.url}`}; Ctrl-C stops it`);
      const signal = await waitForShutdownSignal(() => process.exit(130));
      io.err(`${signal}: stopping ${name}…`);
      await service.close();
    });
}
