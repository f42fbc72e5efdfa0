/**
 * Per-device sequence bookkeeping: which readings of a batch are new, which are harmless redeliveries, which
 * reuse or rewind a seq, and which gaps open or close. Pure; the repository loads the state under a row lock,
 * runs {@link classifySeqs}, and writes the result in the same transaction. See the README for the rules.
 */

/** Missing seqs `from..to` (inclusive) of a device, first noticed at `detectedAt` (ms). */
export interface SeqGap {
  readonly from: number;
  readonly to: number;
  readonly detectedAt: number;
}

export interface DeviceSeqState {
  /** highest stored seq; undefined while nothing of the device is stored */
  readonly highSeq: number | undefined;
  /** open gaps below `highSeq` (loaded only when a candidate is at or below it) */
  readonly gaps: readonly SeqGap[];
}

export interface SeqCandidate {
  readonly device: string;
  readonly seq: number;
  /** canonical body bytes: equal bytes = the same signed reading (read only when a seq comes twice) */
  readonly body: Uint8Array;
  /** when the ingest received it (ms) */
  readonly receivedAt: number;
}

/** A stored reading of a `(device, seq)` a candidate repeats: its body and when it was received (ms). */
export interface StoredSeq {
  readonly body: Uint8Array;
  readonly receivedAt: number;
}

export type SeqVerdict =
  | { readonly kind: 'accept'; readonly late: boolean }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'reject'; readonly code: 'REPLAYED_SEQ' | 'NON_INCREASING_SEQ'; readonly detail: string };

export interface DeviceSeqUpdate {
  readonly device: string;
  /** the new high-water mark; undefined when nothing of the device is stored yet */
  readonly highSeq: number | undefined;
  readonly accepted: number;
  /** `from_seq` of stored gaps to delete (closed or split); deleted before {@link insertGaps} are inserted */
  readonly deleteGapsFrom: readonly number[];
  readonly insertGaps: readonly SeqGap[];
  /** gaps opened by a seq jump in this batch */
  readonly newGaps: number;
}

export interface SeqClassification {
  /** one verdict per candidate, in the candidates' order */
  readonly verdicts: readonly SeqVerdict[];
  /** one entry per device whose state changed */
  readonly updates: readonly DeviceSeqUpdate[];
}

export interface SeqRules {
  readonly nowMs: number;
  /** how long after a gap was detected a reading may still fill it (ms) */
  readonly lateWindowMs: number;
  /**
   * a verbatim copy of a stored reading that arrives more than this after it (ms) is a replay of an old
   * message, refused as NON_INCREASING_SEQ; sooner, it is a redelivery (QoS 1 after a lost PUBACK or a
   * restart), acknowledged and not stored again
   */
  readonly replayAfterMs: number;
}

export const storedKey = (device: string, seq: number): string => `${device}:${seq}`;

/** Candidates at or below their device's high-water mark: for these the stored history must be loaded. */
export function candidatesNeedingHistory<C extends SeqCandidate>(
  candidates: readonly C[],
  highSeqs: ReadonlyMap<string, number | undefined>,
): C[] {
  return candidates.filter((candidate) => {
    const high = highSeqs.get(candidate.device);
    return high !== undefined && candidate.seq <= high;
  });
}

interface WorkingGap extends SeqGap {
  readonly stored: boolean;
}

class DeviceWork {
  high: number | undefined;
  gaps: WorkingGap[];
  readonly deleted = new Set<number>();
  /**
   * The candidate accepted last. Candidates come in seq order, so an earlier one of the same seq in this
   * batch, if accepted, is this one.
   */
  lastAccepted: SeqCandidate | undefined;
  accepted = 0;
  newGaps = 0;
  changed = false;

  constructor(
    readonly device: string,
    state: DeviceSeqState | undefined,
  ) {
    this.high = state?.highSeq;
    this.gaps = (state?.gaps ?? []).map((gap) => ({ ...gap, stored: true }));
  }

  openGap(from: number, to: number, nowMs: number): void {
    if (from <= to) {
      this.gaps.push({ from, to, detectedAt: nowMs, stored: false });
      this.newGaps++;
    }
  }

  gapOf(seq: number): WorkingGap | undefined {
    return this.gaps.find((gap) => gap.from <= seq && seq <= gap.to);
  }

  fill(gap: WorkingGap, seq: number): void {
    this.gaps = this.gaps.filter((other) => other !== gap);
    if (gap.stored) {
      this.deleted.add(gap.from);
    }
    if (gap.from <= seq - 1) {
      this.gaps.push({ from: gap.from, to: seq - 1, detectedAt: gap.detectedAt, stored: false });
    }
    if (seq + 1 <= gap.to) {
      this.gaps.push({ from: seq + 1, to: gap.to, detectedAt: gap.detectedAt, stored: false });
    }
  }

  update(): DeviceSeqUpdate {
    return {
      device: this.device,
      highSeq: this.high,
      accepted: this.accepted,
      deleteGapsFrom: [...this.deleted],
      insertGaps: this.gaps.filter((gap) => !gap.stored).map(({ from, to, detectedAt }) => ({ from, to, detectedAt })),
      newGaps: this.newGaps,
    };
  }
}

/**
 * Decides every candidate of a batch against its device's state and the bodies already stored for
 * `(device, seq)` (keyed by {@link storedKey}; needed only for {@link candidatesNeedingHistory}).
 * Candidates are taken in seq order per device, so a batch that arrived out of order opens no false gaps.
 */
export function classifySeqs(
  candidates: readonly SeqCandidate[],
  states: ReadonlyMap<string, DeviceSeqState>,
  storedBodies: ReadonlyMap<string, StoredSeq>,
  rules: SeqRules,
): SeqClassification {
  const verdicts: SeqVerdict[] = new Array(candidates.length);
  // Per device in id order, each device's candidates by seq (then arrival): grouped first, since a batch holds
  // a few hundred devices but thousands of readings, which mostly arrive in seq order already.
  const byDevice = new Map<string, number[]>();
  for (let i = 0; i < candidates.length; i++) {
    const { device } = candidates[i]!;
    const group = byDevice.get(device);
    if (group === undefined) {
      byDevice.set(device, [i]);
    } else {
      group.push(i);
    }
  }
  const bySeq = (a: number, b: number) => candidates[a]!.seq - candidates[b]!.seq || a - b;
  const devices = new Map<string, DeviceWork>();
  for (const device of [...byDevice.keys()].sort()) {
    const group = byDevice.get(device)!;
    if (!inSeqOrder(candidates, group)) {
      group.sort(bySeq);
    }
    const work = new DeviceWork(device, states.get(device));
    devices.set(device, work);
    for (const i of group) {
      const candidate = candidates[i]!;
      const stored = storedBodies.size === 0 ? undefined : storedBodies.get(storedKey(device, candidate.seq));
      verdicts[i] = decide(work, candidate, stored, rules);
    }
  }
  const updates: DeviceSeqUpdate[] = [];
  for (const work of devices.values()) {
    if (work.changed) {
      updates.push(work.update());
    }
  }
  return { verdicts, updates };
}

/** Whether the group's candidates are in strictly increasing seq order already (arrival order breaks ties). */
function inSeqOrder(candidates: readonly SeqCandidate[], group: readonly number[]): boolean {
  for (let k = 1; k < group.length; k++) {
    if (candidates[group[k - 1]!]!.seq >= candidates[group[k]!]!.seq) {
      return false;
    }
  }
  return true;
}

const ACCEPT: SeqVerdict = Object.freeze({ kind: 'accept', late: false });
const ACCEPT_LATE: SeqVerdict = Object.freeze({ kind: 'accept', late: true });
const DUPLICATE: SeqVerdict = Object.freeze({ kind: 'duplicate' });

function accept(work: DeviceWork, candidate: SeqCandidate, late: boolean): SeqVerdict {
  work.lastAccepted = candidate;
  work.accepted++;
  work.changed = true;
  return late ? ACCEPT_LATE : ACCEPT;
}

function decide(work: DeviceWork, candidate: SeqCandidate, stored: StoredSeq | undefined, rules: SeqRules): SeqVerdict {
  const { seq } = candidate;
  const earlier = (work.lastAccepted?.seq === seq ? work.lastAccepted : undefined) ?? stored;
  if (earlier !== undefined) {
    if (Buffer.compare(earlier.body, candidate.body) !== 0) {
      return { kind: 'reject', code: 'REPLAYED_SEQ', detail: `seq ${seq} is already stored with a different body` };
    }
    const afterMs = candidate.receivedAt - earlier.receivedAt;
    if (afterMs > rules.replayAfterMs) {
      const after = afterMs < 120_000 ? `${Math.round(afterMs / 1000)} s` : `${Math.round(afterMs / 60_000)} min`;
      return {
        kind: 'reject',
        code: 'NON_INCREASING_SEQ',
        detail: `seq ${seq} is a verbatim copy of the reading received ${after} earlier: an old message sent again`,
      };
    }
    return DUPLICATE;
  }
  if (work.high === undefined) {
    // The first reading seen: seqs below it may still be in flight on another ingest instance.
    work.openGap(0, seq - 1, rules.nowMs);
    work.high = seq;
    return accept(work, candidate, false);
  }
  if (seq > work.high) {
    work.openGap(work.high + 1, seq - 1, rules.nowMs);
    work.high = seq;
    return accept(work, candidate, false);
  }
  const gap = work.gapOf(seq);
  if (gap === undefined) {
    return {
      kind: 'reject',
      code: 'NON_INCREASING_SEQ',
      detail: `seq ${seq} is not above the high-water mark ${work.high} and fills no open gap`,
    };
  }
  if (rules.nowMs - gap.detectedAt > rules.lateWindowMs) {
    return {
      kind: 'reject',
      code: 'NON_INCREASING_SEQ',
      detail: `seq ${seq} arrived after the late window of gap ${gap.from}..${gap.to} closed`,
    };
  }
  work.fill(gap, seq);
  return accept(work, candidate, true);
}
