/**
 * Simulated time. A `SimClock` maps wall time to simulated time at a fixed speed, so a day of weather or a
 * drive can be replayed in minutes ("fast clock"), and schedules periodic work in simulated milliseconds.
 */
export interface SimClock {
  /** simulated now, integer ms UTC */
  now(): number;
  /** simulated milliseconds per wall millisecond (1 = real time) */
  readonly speed: number;
  /** wall milliseconds a simulated duration takes */
  toWallMs(simMs: number): number;
  /** Calls `fn` every `simMs` of simulated time; returns the cancel function. */
  every(simMs: number, fn: () => void): () => void;
}

export interface FastClockOptions {
  /** simulated time at creation (default: wall now) */
  readonly startMs?: number;
  /** default 1 */
  readonly speed?: number;
  /** the wall clock to run on (default Date.now); tests may inject */
  readonly wallNow?: () => number;
}

export function createSimClock(options: FastClockOptions = {}): SimClock {
  const wallNow = options.wallNow ?? Date.now;
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) {
    throw new RangeError(`clock speed must be a positive number, got ${speed}`);
  }
  const wallStart = wallNow();
  const simStart = options.startMs ?? wallStart;
  return {
    speed,
    now: () => Math.floor(simStart + (wallNow() - wallStart) * speed),
    toWallMs: (simMs) => simMs / speed,
    every(simMs, fn) {
      const timer = setInterval(fn, Math.max(1, simMs / speed));
      return () => clearInterval(timer);
    },
  };
}

/** Real time. */
export const realClock: SimClock = createSimClock();
