import type { FrameRejectReason } from './adapter.js';

/** Why a parser refused a frame: a stable reason (counted) and a human detail (logged). */
export interface FrameError {
  readonly reason: FrameRejectReason;
  readonly detail: string;
}

/** What every pure parser returns: parsers never throw on bad input. */
export type FrameResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: FrameError };

export const accept = <T>(value: T): FrameResult<T> => ({ ok: true, value });
export const refuse = (reason: FrameRejectReason, detail: string): FrameResult<never> => ({
  ok: false,
  error: { reason, detail },
});

/** A decimal number as text: optional sign, digits, optional fraction. Rejects `1e3`, `0x10`, `NaN`, ``. */
const DECIMAL = /^[-+]?(\d+(\.\d*)?|\.\d+)$/;

/** Parses a decimal field strictly (`Number('')` is 0 and `Number(' 1')` is 1; neither is a reading). */
export function parseDecimal(text: string): number | undefined {
  if (!DECIMAL.test(text)) {
    return undefined;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
