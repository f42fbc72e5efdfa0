import type { Logger } from '@groundtruth/service-kit';
import type pg from 'pg';
import type { Commitment } from './core/payment-check.js';
import type { License } from './core/manifest.js';
import type { PriceList } from './core/pricing.js';

/*
 * Dependency-injection tokens that are classes, so Nest resolves constructor parameters by type
 * (emitDecoratorMetadata) without @Inject; the abstract ones are provided with `useValue`.
 */

/** Milliseconds since the Unix epoch (UTC); injected so expiry can be driven in tests. */
export abstract class Clock {
  abstract now(): number;
}

/** The service-kit structured logger, as an injectable type. */
export abstract class MarketLogger implements Logger {
  abstract debug(event: string, fields?: Record<string, unknown>): void;
  abstract info(event: string, fields?: Record<string, unknown>): void;
  abstract warn(event: string, fields?: Record<string, unknown>): void;
  abstract error(event: string, fields?: Record<string, unknown>): void;
  abstract child(fields: Record<string, unknown>): Logger;
}

/** The PostgreSQL pool; ended on shutdown only when the app created it. */
export class Database {
  constructor(
    readonly pool: pg.Pool,
    readonly ownsPool: boolean,
  ) {}
}

/** The market's settings, from its configuration. */
export class MarketSettings {
  constructor(
    readonly prices: PriceList,
    readonly quoteTtlMs: number,
    /** the devices' share of each sale, in basis points */
    readonly revenueShareBps: number,
    readonly requiredCommitment: Commitment,
    /** the reward token's mint and the treasury token account that receives payments */
    readonly mint: string,
    readonly treasury: string,
    readonly license: License,
    readonly sampleRows: number,
    /** where export files are written, one directory per export */
    readonly exportDir: string,
    /** read rows with COPY TO STDOUT (false: keyset pages of SELECTs, e.g. PGlite in embedded mode) */
    readonly copy: boolean = true,
  ) {}
}
