import { parseConfig } from '@groundtruth/service-kit';
import { Option, type Command } from 'commander';
import { EmbeddedNetwork } from '../embedded/network.js';
import { formatStatus } from '../embedded/status.js';
import { networkConfigSchema } from '../network.config.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { waitForShutdownSignal } from './signals.js';

interface StartOptions {
  dataDir?: string;
  fleet?: string;
  faulty?: string;
  seed?: string;
  epochSeconds?: string;
  graceSeconds?: string;
  readingsPerMinute?: string;
  host?: string;
  portBase?: string;
  simulation: boolean;
  statusSeconds: string;
  logLevel?: string;
}

/** Flags are another way to set the variables of the network's config: both go through one schema. */
function flagsToEnv(options: StartOptions): Record<string, string | undefined> {
  return {
    GT_DATA_DIR: options.dataDir,
    GT_FLEET_PER_KIND: options.fleet,
    GT_FAULTY: options.faulty,
    GT_SEED: options.seed,
    GT_EPOCH_SECONDS: options.epochSeconds,
    GT_EPOCH_GRACE_SECONDS: options.graceSeconds,
    GT_READINGS_PER_MINUTE: options.readingsPerMinute,
    GT_HOST: options.host,
    GT_PORT_BASE: options.portBase,
    LOG_LEVEL: options.logLevel,
  };
}

const defined = (record: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));

export function startCommand(program: Command, io: CliIo): void {
  program
    .command('start')
    .description(
      'run the whole network in this process: MQTT broker, PostgreSQL (PGlite), Solana (LiteSVM), every service and a ' +
        'simulated fleet; MQTT_URL, DATABASE_URL and SOLANA_RPC_URL switch a part to real infrastructure',
    )
    .option('--data-dir <dir>', 'where all state lives (env GT_DATA_DIR, default .data)')
    .option('--fleet <n>', 'simulated devices per hardware kind, 0 for none (GT_FLEET_PER_KIND, default 4)')
    .option('--faulty <n>', 'how many simulated devices get an injected fault (GT_FAULTY, default 3)')
    .option('--seed <n>', 'seed of the simulated fleet (GT_SEED, default 42)')
    .option('--epoch-seconds <s>', 'reward epoch length (GT_EPOCH_SECONDS, default 300)')
    .option('--grace-seconds <s>', 'wait after an epoch ends before closing it (GT_EPOCH_GRACE_SECONDS, default 20)')
    .option('--readings-per-minute <n>', 'per simulated device (GT_READINGS_PER_MINUTE, default 6)')
    .option('--host <host>', 'interface the services listen on (GT_HOST, default 127.0.0.1)')
    .option('--port-base <port>', 'first of seven consecutive ports (GT_PORT_BASE, default 8081)')
    .option('--no-simulation', 'run no simulated fleet: real bridges publish to the broker')
    .option('--status-seconds <s>', 'how often the status line is printed when not on a terminal', '10')
    .addOption(
      new Option('--log-level <level>', 'log level of network.log (LOG_LEVEL)').choices([
        'debug',
        'info',
        'warn',
        'error',
      ]),
    )
    .action(async (options: StartOptions) => {
      const statusSeconds = Number(options.statusSeconds);
      if (!Number.isInteger(statusSeconds) || statusSeconds < 1) {
        throw new CliError(
          `--status-seconds must be a whole number of seconds ≥ 1, got "${options.statusSeconds}"`,
          undefined,
          2,
        );
      }
      const config = parseConfig(networkConfigSchema, { ...io.env, ...defined(flagsToEnv(options)) });
      const network = await EmbeddedNetwork.start(config, {
        simulate: options.simulation,
        onProgress: (step) => io.err(`… ${step}`),
      });
      const { endpoints } = network;
      const lines = [
        'GroundTruth network running',
        `  data directory   ${endpoints.dataDir} (logs: ${endpoints.logFile})`,
        `  MQTT             ${endpoints.mqttUrl}`,
        `  database         ${endpoints.databaseUrl}`,
        `  Solana           ${endpoints.chain}, RPC ${endpoints.solanaRpcUrl}, reward mint ${endpoints.mint}`,
        ...Object.entries(endpoints.services).map(([name, url]) =>
          name === 'ingest'
            ? `  ingest metrics   ${url}/metrics`
            : `  ${name.padEnd(16)} ${url}  (API docs ${url}/docs, metrics ${url}/metrics)`,
        ),
        ...(endpoints.bridgeMetrics ? [`  bridge metrics   ${endpoints.bridgeMetrics}`] : []),
        'Ctrl-C stops it cleanly; starting again resumes from the data directory.',
      ];
      io.out(lines.join('\n'));
      const interval = io.interactive ? 2000 : statusSeconds * 1000;
      const timer = setInterval(() => {
        network
          .status()
          .then((status) => {
            const line = formatStatus(status);
            if (io.interactive) {
              process.stderr.write(`\r\x1b[2K${line}`);
            } else {
              io.out(`status ${new Date(status.at).toISOString()} ${line}`);
            }
          })
          .catch((error: unknown) => io.err(`status unavailable: ${(error as Error).message}`));
      }, interval);
      const signal = await waitForShutdownSignal(() => {
        io.err('\nsecond interrupt: exiting without a clean stop');
        process.exit(130);
      });
      clearInterval(timer);
      io.err(`\n${signal}: stopping (flushing device queues, committing what the ingest holds, saving the chain)…`);
      const final = await network.status().catch(() => undefined);
      await network.stop();
      io.out(`stopped cleanly${final === undefined ? '' : `; last status: ${formatStatus(final)}`}`);
    });
}
