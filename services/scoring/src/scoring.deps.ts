import type { Logger, OperatorToken } from '@groundtruth/service-kit';
import type { EpochCalendar } from './schedule/epoch-calendar.js';

/*
 * Dependency-injection tokens that are classes, so Nest resolves constructor parameters by their type
 * (emitDecoratorMetadata) without @Inject. The abstract ones are satisfied with `useValue`.
 */

/** Milliseconds since the Unix epoch (UTC). Injected so epoch and expiry logic can be driven in tests. */
export abstract class Clock {
  abstract now(): number;
}

/** The service-kit structured logger, as an injectable type. */
export abstract class ScoringLogger implements Logger {
  abstract debug(event: string, fields?: Record<string, unknown>): void;
  abstract info(event: string, fields?: Record<string, unknown>): void;
  abstract warn(event: string, fields?: Record<string, unknown>): void;
  abstract error(event: string, fields?: Record<string, unknown>): void;
  abstract child(fields: Record<string, unknown>): Logger;
}

/** The parts of the configuration the request handlers need. */
export class ScoringSettings {
  constructor(
    readonly calendar: EpochCalendar,
    readonly operatorTokens: readonly OperatorToken[],
    readonly appealMaxValidityMs: number,
    readonly rescoreWaitMs: number,
    /** the algorithm versions this build can score with, oldest first */
    readonly versions: readonly string[],
  ) {}
}
