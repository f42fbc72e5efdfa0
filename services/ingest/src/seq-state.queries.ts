import { HARDWARE_KINDS, type HardwareKind } from '@groundtruth/protocol';
import type pg from 'pg';
import type { StoredReading } from './stored.reading.js';
import { DELETE_GAPS, INSERT_GAPS, KIND_SQL, SELECT_GAPS, UPDATE_DEVICE_STATE } from './readings.sql.js';
import { storedKey, type DeviceSeqUpdate, type SeqGap, type StoredSeq } from './seq.classifier.js';

/** Reading and writing the per-device seq state (high-water mark, counts, gaps) inside the write transaction. */

const iso = (ms: number): string => new Date(ms).toISOString();

export const EMPTY_HISTORY = { gaps: new Map<string, SeqGap[]>(), stored: new Map<string, StoredSeq>() };

/** Open gaps of the devices, and the stored readings (body, received) of the (device, seq) pairs at or below the mark. */
export async function loadHistory(
  client: pg.Client,
  need: readonly { device: string; seq: number; kind: HardwareKind }[],
) {
  const gaps = new Map<string, SeqGap[]>();
  const gapRows = await client.query<{ device_id: string; from_seq: string; to_seq: string; detected_at: Date }>(
    SELECT_GAPS,
    [[...new Set(need.map((c) => c.device))]],
  );
  for (const row of gapRows.rows) {
    const list = gaps.get(row.device_id) ?? [];
    list.push({ from: Number(row.from_seq), to: Number(row.to_seq), detectedAt: row.detected_at.getTime() });
    gaps.set(row.device_id, list);
  }
  const stored = new Map<string, StoredSeq>();
  for (const kind of HARDWARE_KINDS) {
    const keys = need.filter((c) => c.kind === kind);
    if (keys.length > 0) {
      const rows = await client.query<{ device_id: string; seq: string; body: string; received_at: Date }>(
        KIND_SQL[kind].storedBodies,
        [keys.map((c) => c.device), keys.map((c) => c.seq)],
      );
      for (const row of rows.rows) {
        stored.set(storedKey(row.device_id, Number(row.seq)), {
          body: Buffer.from(row.body, 'utf8'),
          receivedAt: row.received_at.getTime(),
        });
      }
    }
  }
  return { gaps, stored };
}

/** Writes the new high-water marks and counts, then the gap changes (deletes before inserts). */
export async function updateSeqState(
  client: pg.Client,
  updates: readonly DeviceSeqUpdate[],
  accepted: readonly StoredReading[],
): Promise<void> {
  if (updates.length === 0) {
    return;
  }
  const latest = new Map<string, { ts: number; receivedAt: number }>();
  for (const { device, ts, receivedAt } of accepted) {
    const seen = latest.get(device);
    if (seen === undefined) {
      latest.set(device, { ts, receivedAt });
    } else {
      seen.ts = Math.max(seen.ts, ts);
      seen.receivedAt = Math.max(seen.receivedAt, receivedAt);
    }
  }
  const withState = updates.filter((u) => u.highSeq !== undefined);
  await client.query(UPDATE_DEVICE_STATE, [
    withState.map((u) => u.device),
    withState.map((u) => u.highSeq),
    withState.map((u) => u.accepted),
    withState.map((u) => (latest.has(u.device) ? iso(latest.get(u.device)!.ts) : null)),
    withState.map((u) => (latest.has(u.device) ? iso(latest.get(u.device)!.receivedAt) : null)),
  ]);
  const deletes = updates.flatMap((u) => u.deleteGapsFrom.map((from) => [u.device, from] as const));
  if (deletes.length > 0) {
    await client.query(DELETE_GAPS, [deletes.map((d) => d[0]), deletes.map((d) => d[1])]);
  }
  const inserts = updates.flatMap((u) => u.insertGaps.map((gap) => ({ device: u.device, ...gap })));
  if (inserts.length > 0) {
    await client.query(INSERT_GAPS, [
      inserts.map((g) => g.device),
      inserts.map((g) => g.from),
      inserts.map((g) => g.to),
      inserts.map((g) => iso(g.detectedAt)),
    ]);
  }
}
