import 'reflect-metadata';
import { NodeCryptoVerifier } from '@groundtruth/protocol';
import { silentLogger } from '@groundtruth/service-kit';
import { Controller, Inject, Module, type DynamicModule, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MqttContext, Transport } from '@nestjs/microservices';
import pg from 'pg';
import { DeviceRegistry } from '../device.registry.js';
import { checkDevice } from '../envelope.checks.js';
import { fromWire, openMessages, type OpenRules } from '../envelope.opener.js';
import { readingRecords } from '../reading.columns.js';
import { KIND_SQL } from '../readings.sql.js';
import type { StoredReading } from '../stored.reading.js';

/** The shared subscription of the baseline (its own group, so it never competes with an IngestRunner). */
export const NEST_BASELINE_SUBSCRIPTION = '$share/gt-nest-baseline/gt/v1/+/readings';

const DEPS = Symbol('NEST_BASELINE_DEPS');
const RULES: OpenRules = {
  maxFutureMs: 300_000,
  maxAgeMs: 7 * 86_400_000,
  clockAheadFlagMs: 30_000,
  delayedFlagMs: 600_000,
};

interface BaselineDeps {
  readonly pool: pg.Pool;
  readonly registry: DeviceRegistry;
  readonly verifier: NodeCryptoVerifier;
  stored: number;
  failed: number;
}

/**
 * What the ingest is measured against: Nest's built-in MQTT server (`Transport.MQTT`) with the obvious handler,
 * one message at a time: decode, registry check, signature, one INSERT per message. mqtt.js acknowledges each
 * message on receipt (before the handler ran) and Nest runs handlers without backpressure. It keeps no seq
 * state and no quarantine, so it does less work than the ingest.
 */
@Controller()
class NestBuiltinController {
  constructor(@Inject(DEPS) private readonly deps: BaselineDeps) {}

  @EventPattern(NEST_BASELINE_SUBSCRIPTION)
  async handle(@Ctx() context: MqttContext): Promise<void> {
    const packet = context.getPacket() as { payload: Buffer };
    const message = { topic: context.getTopic(), payload: packet.payload, receivedAt: Date.now() };
    const opened = fromWire(await openMessages([message], [true], RULES, this.deps.verifier), [message])[0]!;
    if (!opened.ok) {
      this.deps.failed++;
      return;
    }
    const registered = (await this.deps.registry.lookup([opened.device])).get(opened.device);
    const rows = opened.readings.map((r) => r.stored).filter((r): r is StoredReading => r !== undefined);
    if (checkDevice(opened.device, registered) !== undefined || !opened.verified || rows.length < opened.size) {
      this.deps.failed++;
      return;
    }
    const kind = rows[0]!.kind;
    try {
      await this.deps.pool.query(KIND_SQL[kind].insertJson, [JSON.stringify(readingRecords(kind, rows))]);
      this.deps.stored += rows.length;
    } catch {
      this.deps.failed++;
    }
  }
}

@Module({})
class NestBuiltinModule {
  static register(deps: BaselineDeps): DynamicModule {
    return {
      module: NestBuiltinModule,
      controllers: [NestBuiltinController],
      providers: [{ provide: DEPS, useValue: deps }],
    };
  }
}

export interface NestBuiltinBaseline {
  /** readings inserted so far */
  stored(): number;
  /** messages the handler refused (decode, registry or signature) */
  failed(): number;
  close(): Promise<void>;
}

export async function startNestBuiltinBaseline(options: {
  mqttUrl: string;
  databaseUrl: string;
  clientId: string;
}): Promise<NestBuiltinBaseline> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10, application_name: 'gt-nest-baseline' });
  const registry = new DeviceRegistry(pool, options.databaseUrl, silentLogger);
  await registry.start();
  const deps: BaselineDeps = { pool, registry, verifier: new NodeCryptoVerifier(), stored: 0, failed: 0 };
  let app: INestMicroservice | undefined;
  try {
    app = await NestFactory.createMicroservice(NestBuiltinModule.register(deps), {
      transport: Transport.MQTT,
      options: {
        url: options.mqttUrl,
        clientId: options.clientId,
        protocolVersion: 5,
        subscribeOptions: { qos: 1 },
      },
      logger: false,
    });
    await app.listen();
  } catch (error) {
    await app?.close();
    await registry.stop();
    await pool.end();
    throw error;
  }
  const running = app;
  return {
    stored: () => deps.stored,
    failed: () => deps.failed,
    async close() {
      await running.close();
      await registry.stop();
      await pool.end();
    },
  };
}
