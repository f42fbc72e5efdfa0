import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { readStatusFile, type BridgeStatus } from '../core/bridge-counters.js';
import { BridgeError } from '../core/bridge-error.js';
import type { CliIo } from './cli-io.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Status files under a data dir: a single bridge's, or every device of a simulated fleet (`devices/<id>/`). */
export function findStatuses(dataDir: string): BridgeStatus[] {
  const own = readStatusFile(path.join(dataDir, 'status.json'));
  if (own !== undefined) {
    return [own];
  }
  const devices = path.join(dataDir, 'devices');
  if (!existsSync(devices)) {
    return [];
  }
  return readdirSync(devices)
    .sort()
    .map((id) => readStatusFile(path.join(devices, id, 'status.json')))
    .filter((status): status is BridgeStatus => status !== undefined);
}

const sum = (records: readonly Readonly<Record<string, number>>[]): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      out[key] = (out[key] ?? 0) + value;
    }
  }
  return out;
};

function describe(status: BridgeStatus): string {
  const c = status.counters;
  const state = status.running
    ? alive(status.pid)
      ? status.connected
        ? 'running, connected'
        : 'running, offline'
      : 'not running (stopped uncleanly)'
    : 'stopped';
  const rejected =
    Object.entries(c.rejected)
      .map(([reason, n]) => `${reason}=${n}`)
      .join(' ') || 'none';
  const refused =
    Object.entries(c.refused)
      .map(([code, n]) => `${code}=${n}`)
      .join(' ') || 'none';
  return [
    `device    ${status.device} (${status.kind}) — ${state}, updated ${status.updatedAt}`,
    `read      ${c.read}   rejected: ${rejected}`,
    `queued    ${c.queued}   backlog ${status.queue.backlog} readings, ${status.queue.diskBytes} bytes on disk, next seq ${status.queue.highSeq + 1}`,
    `published ${c.published} (+${c.republished} resent)   acked ${c.acked}   evicted ${c.evicted}   refused: ${refused}`,
    `network   ${c.connects} connects, ${c.disconnects} disconnects`,
    ...((c.writeFailures ?? 0) > 0 || status.queue.failure
      ? [
          `disk      ${c.writeFailures ?? 0} failed writes${status.queue.failure ? `, FAILING NOW: ${status.queue.failure}` : ', recovered'}` +
            `   ${status.queue.unwritten ?? 0} readings not yet written`,
        ]
      : []),
    ...(status.queue.truncatedBytes > 0 || status.queue.damagedSegments > 0
      ? [
          `recovery  cut ${status.queue.truncatedBytes} torn bytes at the last start, ${status.queue.damagedSegments} damaged segments`,
        ]
      : []),
  ].join('\n');
}

export function statusCommand(program: Command, io: CliIo): void {
  program
    .command('status')
    .description("print a bridge's counters: read, rejected by reason, queued, published, acked, evicted")
    .requiredOption('--data-dir <dir>', 'the data directory of the bridge (or of a simulated fleet)')
    .option('--json', 'print the status file(s) as JSON')
    .action((options: { dataDir: string; json?: boolean }) => {
      const statuses = findStatuses(options.dataDir);
      if (statuses.length === 0) {
        throw new BridgeError(
          'BAD_ARGUMENT',
          `no status.json under ${options.dataDir}: has a bridge run with this data dir?`,
          { dir: options.dataDir },
        );
      }
      if (options.json) {
        io.out(JSON.stringify(statuses.length === 1 ? statuses[0] : statuses, null, 2));
        return;
      }
      if (statuses.length === 1) {
        io.out(describe(statuses[0]!));
        return;
      }
      const totals = sum(
        statuses.map((s) => ({ ...s.counters, rejected: 0, refused: 0 }) as unknown as Record<string, number>),
      );
      const rejected = sum(statuses.map((s) => s.counters.rejected));
      const backlog = statuses.reduce((n, s) => n + s.queue.backlog, 0);
      const connected = statuses.filter((s) => s.connected).length;
      io.out(
        [
          `fleet     ${statuses.length} devices, ${connected} connected`,
          `read      ${totals.read}   rejected: ${
            Object.entries(rejected)
              .map(([r, n]) => `${r}=${n}`)
              .join(' ') || 'none'
          }`,
          `queued    ${totals.queued}   backlog ${backlog}`,
          `published ${totals.published} (+${totals.republished} resent)   acked ${totals.acked}   evicted ${totals.evicted}`,
        ].join('\n'),
      );
    });
}
