import { z } from 'zod';
import type { HardwareAdapter } from '../adapters/adapter.js';
import { EcowittAdapter } from '../adapters/ecowitt.adapter.js';
import { Elm327Adapter } from '../adapters/elm327.adapter.js';
import { GnssReceiver } from '../adapters/gnss.adapter.js';
import { ModbusMeterAdapter } from '../adapters/modbus.adapter.js';
import { P1Adapter } from '../adapters/p1.adapter.js';
import { parseStreamUrl, streamFactory } from '../adapters/stream-url.js';
import { BridgeError } from '../core/bridge-error.js';

/** Where an adapter's bytes come from: `tcp://host:port` or `serial:///dev/ttyX?baud=N&databits=7&parity=even`. */
const port = z.string().min(1).describe('tcp://host:port or serial:///dev/ttyX?baud=N');

/** The `adapter` section of a bridge config file: the hardware and how to reach it. */
export const adapterConfigSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ecowitt'),
    listen: z
      .strictObject({ host: z.string().optional(), port: z.number().int().min(0).max(65535).optional() })
      .optional(),
    passkey: z.string().optional(),
    stationId: z.string().optional(),
    password: z.string().optional(),
    altitudeM: z.number().finite().optional(),
  }),
  z.strictObject({
    type: z.literal('elm327'),
    port,
    gnss: port.optional(),
    pollIntervalMs: z.number().int().min(100).optional(),
    commandTimeoutMs: z.number().int().min(50).optional(),
    protocol: z
      .string()
      .regex(/^[0-9A-C]$/)
      .optional(),
  }),
  z.strictObject({ type: z.literal('gnss'), port }),
  z.strictObject({ type: z.literal('p1'), port, requireCrc: z.boolean().optional() }),
  z.strictObject({
    type: z.literal('modbus'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).optional(),
    unitId: z.number().int().min(1).max(247).optional(),
    pollIntervalMs: z.number().int().min(100).optional(),
    timeoutMs: z.number().int().min(50).optional(),
  }),
]);

export type AdapterConfig = z.infer<typeof adapterConfigSchema>;

function stream(url: string, defaultBaud: number) {
  try {
    return streamFactory(parseStreamUrl(url, defaultBaud));
  } catch (error) {
    throw new BridgeError('BAD_CONFIG', `adapter port: ${(error as Error).message}`);
  }
}

/** Builds the adapter a config names (nothing is opened until the bridge starts it). */
export function createAdapter(config: AdapterConfig): HardwareAdapter {
  switch (config.type) {
    case 'ecowitt': {
      const { type: _type, ...options } = config;
      return new EcowittAdapter(options);
    }
    case 'elm327': {
      const { port: elm, gnss, type: _type, ...options } = config;
      return new Elm327Adapter({
        ...options,
        open: stream(elm, 38400),
        ...(gnss === undefined ? {} : { gnss: new GnssReceiver({ open: stream(gnss, 9600) }) }),
      });
    }
    case 'gnss':
      return new GnssReceiver({ open: stream(config.port, 9600), emitSamples: true });
    case 'p1':
      return new P1Adapter({
        open: stream(config.port, 115200),
        ...(config.requireCrc === undefined ? {} : { requireCrc: config.requireCrc }),
      });
    case 'modbus': {
      const { type: _type, ...options } = config;
      return new ModbusMeterAdapter(options);
    }
  }
}
