import {
  Injectable,
  StandardSchemaValidationPipe,
  type ArgumentMetadata,
  type StandardSchemaValidationPipeOptions,
} from '@nestjs/common';
import { RegistryError } from './registry.error.js';

type Issues = Parameters<NonNullable<StandardSchemaValidationPipeOptions['exceptionFactory']>>[0];

const pathOf = (issue: Issues[number]): string =>
  (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');

/**
 * Validates every `@Body/@Param/@Query({ schema })` against its zod schema; a mismatch is a VALIDATION
 * RegistryError listing each failing path, and naming where it was (body, param, query).
 */
@Injectable()
export class RegistryValidationPipe extends StandardSchemaValidationPipe {
  constructor() {
    super({
      exceptionFactory: (issues: Issues) =>
        new RegistryError('VALIDATION', 'the request does not match the API schema', {
          issues: issues.map((issue) => ({ path: pathOf(issue), message: issue.message })),
        }),
    });
  }

  override async transform<T = unknown>(value: T, metadata: ArgumentMetadata): Promise<T> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof RegistryError) {
        throw new RegistryError(
          error.code,
          `${error.message} (${metadata.type}${metadata.data ? ` "${String(metadata.data)}"` : ''})`,
          {
            in: metadata.type,
            ...error.details,
          },
        );
      }
      throw error;
    }
  }
}
