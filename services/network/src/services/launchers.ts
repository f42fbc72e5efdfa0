import { IngestRunner, ingestConfigSchema } from '@groundtruth/ingest';
import { createMarketApp, marketConfigSchema } from '@groundtruth/market';
import type { SolanaGateway } from '@groundtruth/programs';
import { createRegistryApp, registryConfigSchema } from '@groundtruth/registry';
import { createRewardsApp, rewardsConfigSchema } from '@groundtruth/rewards';
import { createScoringApp, scoringConfigSchema } from '@groundtruth/scoring';
import { parseConfig, type Logger } from '@groundtruth/service-kit';

/** The services `groundtruth serve <service>` can run, in the order the embedded network starts them. */
export const SERVICE_NAMES = ['registry', 'ingest', 'scoring', 'rewards', 'market'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

/** What a started service offers its runner: where it listens and how to stop it. */
export interface RunningService {
  readonly name: ServiceName;
  /** base URL of its HTTP API (`/docs`, `/metrics`), or of its metrics endpoint for ingest */
  readonly url: string | undefined;
  close(): Promise<void>;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** What an embedding process shares with the services it runs; a standalone `serve` passes nothing. */
export interface SharedDeps {
  readonly logger?: (service: ServiceName) => Logger;
  /** the in-process chain of the embedded mode (otherwise each service connects to `SOLANA_RPC_URL`) */
  readonly gateway?: SolanaGateway;
  /** persists the in-process chain; rewards calls it before it records a payout as confirmed */
  readonly checkpointChain?: () => Promise<void>;
}

/** A service could not start where it was told to (its port is taken, say). */
export class ServiceStartError extends Error {
  override readonly name = 'ServiceStartError';
  constructor(
    readonly service: ServiceName,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Listens, or closes what the service already opened (pool, loops) and says which port failed: a port that is taken
 * must stop the start with a clear error, not leave a half-started service keeping the process alive.
 */
async function listening(
  name: ServiceName,
  host: string,
  port: number,
  listen: () => Promise<unknown>,
  close: () => Promise<void>,
) {
  try {
    await listen();
  } catch (error) {
    await close().catch(() => undefined);
    throw new ServiceStartError(
      name,
      `${name} cannot listen on ${host}:${port} (${(error as { code?: string }).code ?? (error as Error).message}); choose other ports with --port-base or GT_PORT_BASE`,
    );
  }
}

const baseUrl = (host: string, port: number) => `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

/**
 * Starts one service from an environment (validated by that service's own config schema) and returns it running.
 * The same code serves `groundtruth serve <service>` (the process environment) and the embedded network (an
 * environment it composes).
 */
export async function launchService(name: ServiceName, env: Env, deps: SharedDeps = {}): Promise<RunningService> {
  const logger = deps.logger?.(name);
  switch (name) {
    case 'registry': {
      const config = parseConfig(registryConfigSchema, env);
      const app = await createRegistryApp(config, logger ? { logger } : {});
      await listening(
        name,
        config.host,
        config.port,
        () => app.listen(config.port, config.host),
        () => app.close(),
      );
      return { name, url: baseUrl(config.host, config.port), close: () => app.close() };
    }
    case 'ingest': {
      const config = parseConfig(ingestConfigSchema, env);
      const runner = await IngestRunner.start(config, logger ? { logger } : {});
      const port = runner.metricsPort;
      return {
        name,
        url: port === undefined ? undefined : baseUrl('127.0.0.1', port),
        close: () => runner.stop(),
      };
    }
    case 'scoring': {
      const config = parseConfig(scoringConfigSchema, env);
      const scoring = await createScoringApp(config, logger ? { logger } : {});
      await listening(
        name,
        config.host,
        config.port,
        () => scoring.http.listen(config.port, config.host),
        () => scoring.close(),
      );
      scoring.start(); // its loop: closed hours, then every epoch that has ended
      return { name, url: baseUrl(config.host, config.port), close: () => scoring.close() };
    }
    case 'rewards': {
      const config = parseConfig(rewardsConfigSchema, env);
      const rewards = await createRewardsApp(config, {
        ...(logger ? { logger } : {}),
        ...(deps.gateway ? { gateway: deps.gateway } : {}),
        ...(deps.checkpointChain ? { checkpoint: deps.checkpointChain } : {}),
      });
      await listening(
        name,
        config.host,
        config.port,
        () => rewards.http.listen(config.port, config.host),
        () => rewards.close(),
      );
      rewards.start();
      return { name, url: baseUrl(config.host, config.port), close: () => rewards.close() };
    }
    case 'market': {
      const config = parseConfig(marketConfigSchema, env);
      const app = await createMarketApp(config, {
        ...(logger ? { logger } : {}),
        ...(deps.gateway ? { gateway: deps.gateway } : {}),
      });
      await listening(
        name,
        config.host,
        config.port,
        () => app.listen(config.port, config.host),
        () => app.close(),
      );
      return { name, url: baseUrl(config.host, config.port), close: () => app.close() };
    }
    default: {
      const never: never = name;
      throw new Error(`unknown service ${String(never)}`);
    }
  }
}
