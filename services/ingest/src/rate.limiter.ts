export interface RateLimitOptions {
  /** sustained readings per second one device may deliver */
  readonly ratePerS: number;
  /** readings a device may deliver at once (a bridge draining its queue after an outage) */
  readonly burst: number;
  /** devices tracked at most; the least recently refilled bucket goes first beyond that */
  readonly maxDevices?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per device, counted in readings (a 50-reading batch envelope takes 50). Charged only for
 * authenticated traffic (after signature verification), so nobody can spend a device's budget by forging
 * messages on its topic. An envelope that does not fit is refused whole. Pure: the caller passes the clock.
 */
export class DeviceRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly maxDevices: number;

  constructor(private readonly options: RateLimitOptions) {
    if (!(options.ratePerS > 0) || !(options.burst >= 1)) {
      throw new RangeError('rate limit needs ratePerS > 0 and burst >= 1');
    }
    this.maxDevices = options.maxDevices ?? 1_000_000;
  }

  /** Takes `readings` tokens from the device's bucket if it holds that many; false (nothing taken) otherwise. */
  take(device: string, readings: number, nowMs: number): boolean {
    let bucket = this.buckets.get(device);
    if (bucket === undefined) {
      if (this.buckets.size >= this.maxDevices) {
        this.buckets.delete(this.buckets.keys().next().value!);
      }
      bucket = { tokens: this.options.burst, at: nowMs };
    } else {
      // Re-inserting keeps the Map in least-recently-used order, so eviction drops an idle device.
      this.buckets.delete(device);
      const elapsedS = Math.max(0, nowMs - bucket.at) / 1000;
      bucket.tokens = Math.min(this.options.burst, bucket.tokens + elapsedS * this.options.ratePerS);
      bucket.at = nowMs;
    }
    this.buckets.set(device, bucket);
    if (bucket.tokens < readings) {
      return false;
    }
    bucket.tokens -= readings;
    return true;
  }

  get trackedDevices(): number {
    return this.buckets.size;
  }
}
