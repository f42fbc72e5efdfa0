import { Injectable, StandardSchemaValidationPipe, type StandardSchemaValidationPipeOptions } from '@nestjs/common';
import { MarketError } from '../core/market-error.js';

type Issues = Parameters<NonNullable<StandardSchemaValidationPipeOptions['exceptionFactory']>>[0];

const pathOf = (issue: Issues[number]): string =>
  (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');

/** Validates `@Body/@Param/@Query({ schema })` against zod; a mismatch is BAD_QUERY naming the first path. */
@Injectable()
export class MarketValidationPipe extends StandardSchemaValidationPipe {
  constructor() {
    super({
      exceptionFactory: (issues: Issues) => {
        const first = issues[0];
        const path = first === undefined ? '' : pathOf(first);
        return new MarketError(
          'BAD_QUERY',
          `${path || '(request)'}: ${first?.message ?? 'does not match the API schema'}`,
          { path },
        );
      },
    });
  }
}
