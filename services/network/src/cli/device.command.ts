import { keygenCommand, registerCommand } from '@groundtruth/firmware-bridge';
import { isDeviceId } from '@groundtruth/protocol';
import type { Command } from 'commander';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { defaultEndpoints, target } from './endpoints.js';
import { requestJson } from './http-client.js';

interface RegistryDevice {
  device: string;
  kind: string;
  owner: string | null;
  model: string;
  location: { lat: number; lon: number; alt?: number } | null;
  interval_s: number;
  status: string;
  status_reason: string | null;
  registered_at: string;
}

/** The quality answer of the scoring service, as far as the CLI prints it (the rest is in `--json`). */
interface QualityAnswer {
  epoch?: number;
  version?: string;
  quality?: number;
  reasons?: readonly string[];
  summary?: string;
  costliest?: readonly { check: string; cost?: number; detail?: string }[];
}

function describeQuality(q: QualityAnswer): string[] {
  const score = q.quality;
  return [
    `quality   ${score === undefined ? 'not scored yet' : score.toFixed(2)}${q.epoch === undefined ? '' : ` in epoch ${q.epoch}`}${q.version === undefined ? '' : ` (algorithm ${q.version})`}`,
    `reasons   ${q.reasons === undefined || q.reasons.length === 0 ? 'none' : q.reasons.join(', ')}`,
    ...(q.summary === undefined ? [] : [`why       ${q.summary}`]),
    ...(q.costliest ?? []).map(
      (c) => `  ${c.check}${c.cost === undefined ? '' : ` −${c.cost.toFixed(2)}`}${c.detail ? `: ${c.detail}` : ''}`,
    ),
  ];
}

export function deviceCommand(program: Command, io: CliIo): void {
  const device = program
    .command('device')
    .description('device keys, signed registration, and what the network knows about a device');
  // The bridge's own commands: a hardware owner uses the same ones on the bridge box.
  keygenCommand(device, io);
  registerCommand(device, io);
  device
    .command('status')
    .description('registry record, last quality score and why it scored so ("why did my device score 0.62?")')
    .argument('<device-id>', 'base58 device id (the public key)')
    .option('--registry <url>', 'registry API (default: the local network)')
    .option('--scoring <url>', 'scoring API (default: the local network)')
    .option('--epoch <n>', 'the epoch to explain (default: the latest scored)')
    .option('--json', 'print both answers as JSON')
    .action(async (id: string, options: { registry?: string; scoring?: string; epoch?: string; json?: boolean }) => {
      if (!isDeviceId(id)) {
        throw new CliError(`"${id}" is not a device id`, 'a device id is the base58 form of its 32-byte public key', 2);
      }
      const defaults = defaultEndpoints(io.env);
      const registry = target('registry', options.registry ?? defaults.registry);
      const scoring = target('scoring service', options.scoring ?? defaults.scoring);
      const record = await requestJson<RegistryDevice>(registry, 'GET', `devices/${id}`);
      const quality = await requestJson<QualityAnswer>(
        scoring,
        'GET',
        `devices/${id}/quality${options.epoch === undefined ? '' : `?epoch=${encodeURIComponent(options.epoch)}`}`,
      ).catch((error: unknown) => {
        if (error instanceof CliError && /HTTP 404/.test(error.message)) {
          return {} satisfies QualityAnswer;
        }
        throw error;
      });
      if (options.json) {
        io.out(JSON.stringify({ registry: record, quality }, null, 2));
        return;
      }
      const where =
        record.location === null ? 'no declared location' : `${record.location.lat}, ${record.location.lon}`;
      io.out(
        [
          `device    ${record.device} (${record.kind}, ${record.model})`,
          `status    ${record.status}${record.status_reason ? ` — ${record.status_reason}` : ''}`,
          `owner     ${record.owner ?? 'no wallet: rewards are held until one is added'}`,
          `location  ${where}; one reading every ${record.interval_s} s declared`,
          ...describeQuality(quality),
        ].join('\n'),
      );
    });
}
