import {
  StandardSchemaValidationPipe,
  type ArgumentMetadata,
  type StandardSchemaValidationPipeOptions,
} from '@nestjs/common';

type Issues = Parameters<NonNullable<StandardSchemaValidationPipeOptions['exceptionFactory']>>[0];

/**
 * What a failed validation tells the client: where it was and each failing path (`a.b.0`) with its message.
 * A type, not an interface, so it fits the services' `Record<string, unknown>` error details.
 */
export type ValidationDetails = {
  readonly in: ArgumentMetadata['type'];
  readonly issues: readonly { readonly path: string; readonly message: string }[];
};

/** Builds a service's own VALIDATION error (its error class and code) from the message and details. */
export type ValidationErrorFactory = (message: string, details: ValidationDetails) => Error;

const pathOf = (issue: Issues[number]): string =>
  (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');

/** Carries the issues from the exception factory to `transform`, which knows where the value came from. */
class SchemaMismatch extends Error {
  constructor(readonly issues: ValidationDetails['issues']) {
    super('the request does not match the API schema');
  }
}

/**
 * Validates every `@Body/@Param/@Query({ schema })` against its zod (Standard Schema) schema; a mismatch becomes
 * the service's VALIDATION error, built by `toError`, listing each failing path and naming where it was
 * (body, param, query). A service subclasses it once with its own error, so codes and HTTP mapping stay its own.
 *
 * @example
 * \@Injectable()
 * export class RegistryValidationPipe extends ZodValidationPipe {
 *   constructor() {
 *     super((message, details) => new RegistryError('VALIDATION', message, details));
 *   }
 * }
 */
export class ZodValidationPipe extends StandardSchemaValidationPipe {
  constructor(private readonly toError: ValidationErrorFactory) {
    super({
      exceptionFactory: (issues: Issues) =>
        new SchemaMismatch(issues.map((issue) => ({ path: pathOf(issue), message: issue.message }))),
    });
  }

  override async transform<T = unknown>(value: T, metadata: ArgumentMetadata): Promise<T> {
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof SchemaMismatch) {
        const where = `${metadata.type}${metadata.data ? ` "${String(metadata.data)}"` : ''}`;
        throw this.toError(`${error.message} (${where})`, { in: metadata.type, issues: error.issues });
      }
      throw error;
    }
  }
}
