import type { HardwareKind } from '@groundtruth/protocol';
import { allocateSeries, type DeviceSeries } from '../core/series.js';
import { metricsOf } from '../core/variables.js';

/** PostgreSQL binary COPY header: signature, flags, header-extension length. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** ms between the Unix epoch and PostgreSQL's (2000-01-01), which binary timestamps count from. */
const PG_EPOCH_MS = 946_684_800_000;
/** Longest row this decoder reads without bounds checks (device id ≤ MAX_ID_BYTES, ≤ 24 numeric columns). */
const MAX_ID_BYTES = 256;
const MAX_ROW_BYTES = 2 + 4 + MAX_ID_BYTES + 24 * 12;
/** Fixed columns before the metrics: seq, ts, received_at, lat, lon, alt, hdop, sats. */
const FIXED = 8;

export class BinaryCopyError extends Error {
  override readonly name = 'BinaryCopyError';
}

/**
 * The columns {@link readingsCopySql} selects, in order: device_id text, seq int8, ts and received_at
 * timestamptz, lat/lon/alt float8, hdop float4, sats int2, the kind's metric columns float8, qflags int4. Rows come
 * in storage order (no ORDER BY: sorting a day of readings by device costs the server more than the decoder's
 * grouping).
 */
export function readingsCopySql(kind: HardwareKind, where: string): string {
  const metrics = metricsOf(kind).map((spec) => spec.name);
  const columns = ['device_id', 'seq', 'ts', 'received_at', 'lat', 'lon', 'alt', 'hdop', 'sats', ...metrics, 'qflags'];
  return `COPY (SELECT ${columns.join(', ')} FROM readings_${kind} WHERE ${where}) TO STDOUT (FORMAT binary)`;
}

/** One device's rows as they arrive, row-major (a row's fields side by side), grown by doubling. */
class DeviceRows {
  n = 0;
  data: Float64Array;
  qflags: Int32Array;

  constructor(
    readonly id: string,
    readonly bytes: Buffer,
    readonly columns: number,
    capacity: number,
  ) {
    this.data = new Float64Array(capacity * columns);
    this.qflags = new Int32Array(capacity);
  }

  grow(): void {
    const data = new Float64Array(this.data.length * 2);
    data.set(this.data);
    this.data = data;
    const qflags = new Int32Array(this.qflags.length * 2);
    qflags.set(this.qflags);
    this.qflags = qflags;
  }
}

/**
 * Decodes the binary COPY stream of {@link readingsCopySql} incrementally (chunks may split a row anywhere),
 * appending each row to its device's columns; at {@link end} it emits one {@link DeviceSeries} per device (its
 * rows sorted by time, a no-op for rows stored in time order), in device-id order. Typed arrays only; nothing is
 * allocated per row.
 */
export class ReadingsCopyDecoder {
  private readonly metricCount: number;
  private readonly fields: number;
  private rest: Buffer | undefined;
  private headerDone = false;
  private finished = false;
  private readonly byKey = new Map<number, DeviceRows[]>();
  private readonly devices: DeviceRows[] = [];
  /** per column: 1 once a non-NULL value was seen (all-NULL columns are not copied into the series) */
  private readonly present: Uint8Array;
  private n = 0;

  /** `capacity(id)`: the rows a device is expected to have (its arrays start that large) */
  constructor(
    readonly kind: HardwareKind,
    private readonly capacity: (id: string) => number = () => 256,
  ) {
    this.metricCount = metricsOf(kind).length;
    this.fields = 1 + FIXED + this.metricCount + 1;
    this.present = new Uint8Array(FIXED + this.metricCount);
  }

  /** rows decoded so far */
  get rows(): number {
    return this.n;
  }

  /** Feeds the next chunk of the stream. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.rest) {
      // Finish the row split across chunks from a small joint buffer, then go on in the chunk itself.
      const take = Math.min(chunk.length, MAX_ROW_BYTES + (this.headerDone ? 0 : 1024));
      const joint = Buffer.concat([this.rest, chunk.subarray(0, take)]);
      const used = this.decode(joint, true);
      if (used < this.rest.length) {
        this.rest = take < chunk.length ? undefined : joint.subarray(used);
        if (this.rest === undefined) {
          throw new BinaryCopyError('a row longer than the decoder reads');
        }
        return;
      }
      buf = chunk.subarray(used - this.rest.length);
      this.rest = undefined;
    }
    const used = this.decode(buf, false);
    this.rest = used < buf.length ? Buffer.from(buf.subarray(used)) : undefined;
  }

  /** Call at the end of the stream: emits every device's series, in device-id order; throws if it was cut short. */
  end(onDevice: (series: DeviceSeries) => void): void {
    if (!this.finished || (this.rest && this.rest.length > 0)) {
      throw new BinaryCopyError('binary COPY stream ended before its trailer');
    }
    const sorted = [...this.devices].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let order = new Int32Array(0);
    let scratch = new Int32Array(0);
    for (const d of sorted) {
      const size = d.n;
      const series = allocateSeries(d.id, this.kind, size);
      const targets = [
        series.seq,
        series.ts,
        series.recv,
        series.lat,
        series.lon,
        series.alt,
        series.hdop,
        series.sats,
        ...series.values,
      ];
      const C = d.columns;
      const data = d.data;
      let rows: Int32Array | undefined;
      if (!isSorted(data, C, size)) {
        if (order.length < size) {
          order = new Int32Array(size * 2);
          scratch = new Int32Array(size * 2);
        }
        rows = order.subarray(0, size);
        for (let k = 0; k < size; k++) {
          rows[k] = k;
        }
        sortByTime(rows, scratch.subarray(0, size), data, C);
      }
      for (let c = 0; c < targets.length; c++) {
        if (this.present[c] === 1) {
          const target = targets[c]!;
          if (rows) {
            for (let k = 0; k < size; k++) {
              target[k] = data[rows[k]! * C + c]!;
            }
          } else {
            for (let k = 0, at = c; k < size; k++, at += C) {
              target[k] = data[at]!;
            }
          }
        }
      }
      for (let k = 0; k < size; k++) {
        series.qflags[k] = d.qflags[rows ? rows[k]! : k]!;
      }
      d.data = new Float64Array(0);
      onDevice(series);
    }
    this.devices.length = 0;
    this.byKey.clear();
  }

  private decode(buf: Buffer, joint: boolean): number {
    let p = 0;
    const n = buf.length;
    if (!this.headerDone) {
      if (n < 19) {
        return 0;
      }
      if (!buf.subarray(0, 11).equals(SIGNATURE)) {
        throw new BinaryCopyError('not a PostgreSQL binary COPY stream');
      }
      const extension = buf.readInt32BE(15);
      if (n < 19 + extension) {
        return 0;
      }
      p = 19 + extension;
      this.headerDone = true;
    }
    const fields = this.fields;
    const last = fields - 1;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const present = this.present;
    while (!this.finished) {
      const start = p;
      if (joint && p > 0 && start >= (this.rest?.length ?? 0)) {
        return start; // the split row is done: the caller goes on in the chunk
      }
      if (p + 2 > n) {
        return start;
      }
      const count = view.getInt16(p);
      p += 2;
      if (count === -1) {
        this.finished = true;
        return p;
      }
      if (count !== fields) {
        throw new BinaryCopyError(`expected ${fields} columns, got ${count}`);
      }
      // A row is at most a few hundred bytes: far from the end of the chunk, no bounds checks are needed.
      if (n - p < MAX_ROW_BYTES) {
        let q = p;
        for (let f = 0; f < fields; f++) {
          if (q + 4 > n) {
            return start;
          }
          const length = view.getInt32(q);
          q += 4 + (length > 0 ? length : 0);
        }
        if (q > n) {
          return start;
        }
      }
      const idLength = view.getInt32(p);
      if (idLength < 0 || idLength > MAX_ID_BYTES) {
        throw new BinaryCopyError(`device id of ${idLength} bytes`);
      }
      const device = this.device(buf, view, p + 4, idLength);
      p += 4 + idLength;
      if (device.n === device.qflags.length) {
        device.grow();
      }
      const row = device.n;
      const data = device.data;
      const base = row * device.columns - 1;
      for (let f = 1; f < fields; f++) {
        const length = view.getInt32(p);
        p += 4;
        if (length < 0) {
          if (f === last) {
            device.qflags[row] = 0;
          } else {
            data[base + f] = Number.NaN;
          }
          continue;
        }
        if (f === last) {
          device.qflags[row] = view.getInt32(p);
        } else {
          let value: number;
          if (f <= 3) {
            // seq int8; ts, received_at: µs since 2000-01-01
            const int8 = view.getInt32(p) * 4_294_967_296 + view.getUint32(p + 4);
            // times rounded to whole ms exactly as the cursor path's round(extract(epoch FROM ts) * 1000)
            value = f === 1 ? int8 : PG_EPOCH_MS + Math.round(int8 / 1000);
          } else if (f === 7) {
            value = view.getFloat32(p);
          } else if (f === 8) {
            value = view.getInt16(p);
          } else {
            value = view.getFloat64(p);
          }
          data[base + f] = value;
          present[f - 1] = 1;
        }
        p += length;
      }
      device.n++;
      this.n++;
    }
    return p;
  }

  /** The rows of the device whose id is buf[at, at+length), found by a key of sampled bytes and checked in full. */
  private device(buf: Buffer, view: DataView, at: number, length: number): DeviceRows {
    let key = length;
    if (length >= 8) {
      key = Math.imul(key ^ view.getInt32(at), 0x01000193);
      key = Math.imul(key ^ view.getInt32(at + length - 4), 0x01000193);
      key = Math.imul(key ^ view.getInt32(at + (length >> 1) - 2), 0x01000193);
    } else {
      for (let i = at; i < at + length; i++) {
        key = Math.imul(key ^ buf[i]!, 0x01000193);
      }
    }
    const candidates = this.byKey.get(key);
    if (candidates) {
      for (const d of candidates) {
        const id = d.bytes;
        if (id.length === length) {
          let same = true;
          for (let i = 0; i < length && same; i++) {
            same = id[i] === buf[at + i];
          }
          if (same) {
            return d;
          }
        }
      }
    }
    const bytes = Buffer.from(buf.subarray(at, at + length));
    const id = bytes.toString('utf8');
    const rows = new DeviceRows(id, bytes, FIXED + this.metricCount, Math.max(16, this.capacity(id)));
    this.devices.push(rows);
    if (candidates) {
      candidates.push(rows);
    } else {
      this.byKey.set(key, [rows]);
    }
    return rows;
  }
}

/** Whether the rows of a row-major block are in (ts, seq) order (seq is column 0, ts column 1). */
function isSorted(data: Float64Array, C: number, n: number): boolean {
  for (let k = 1, at = C; k < n; k++, at += C) {
    const t0 = data[at - C + 1]!;
    const t1 = data[at + 1]!;
    if (!(t0 < t1 || (t0 === t1 && data[at - C]! <= data[at]!))) {
      return false;
    }
  }
  return true;
}

/**
 * Sorts row indexes by (ts, seq), stable: a bottom-up merge sort over typed arrays (a device's day is a few
 * thousand rows), with `scratch` of the same length.
 */
function sortByTime(rows: Int32Array, scratch: Int32Array, data: Float64Array, C: number): void {
  const n = rows.length;
  const before = (a: number, b: number): boolean => {
    const ta = data[a * C + 1]!;
    const tb = data[b * C + 1]!;
    return tb < ta || (tb === ta && data[b * C]! < data[a * C]!);
  };
  let from = rows;
  let to = scratch;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const a = from[i]!;
        const b = from[j]!;
        if (before(a, b)) {
          to[k++] = b;
          j++;
        } else {
          to[k++] = a;
          i++;
        }
      }
      while (i < mid) {
        to[k++] = from[i++]!;
      }
      while (j < hi) {
        to[k++] = from[j++]!;
      }
    }
    [from, to] = [to, from];
  }
  if (from !== rows) {
    rows.set(from);
  }
}
