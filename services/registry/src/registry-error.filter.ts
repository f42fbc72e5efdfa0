import { Catch, HttpException, Injectable, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { httpStatusOf } from './error-status.js';
import { RegistryLogger } from './registry.deps.js';
import { RegistryError } from './registry.error.js';
import { RegistryMetrics } from './registry.metrics.js';

interface HttpRequest {
  method: string;
  url: string;
  route?: { path?: string };
}

/** Turns what a handler, guard, pipe or the body parser threw into a RegistryError. */
export function toRegistryError(exception: unknown): RegistryError {
  if (exception instanceof RegistryError) {
    return exception;
  }
  // body-parser's error kinds, on its error or (Nest's express adapter wraps it) on the wrapper's cause
  const raw = exception as { type?: unknown; cause?: { type?: unknown } } | null;
  const type = raw?.type ?? raw?.cause?.type;
  if (type === 'entity.parse.failed') {
    return new RegistryError('MALFORMED_JSON', 'the request body is not valid JSON');
  }
  if (type === 'entity.too.large') {
    return new RegistryError('PAYLOAD_TOO_LARGE', 'the request body is too large');
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) {
      return new RegistryError('NOT_FOUND', 'no such route');
    }
    if (status === 413) {
      return new RegistryError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    }
    if (status >= 400 && status < 500) {
      return new RegistryError('VALIDATION', exception.message);
    }
  }
  return new RegistryError('INTERNAL', 'internal error');
}

/**
 * The one place where error codes become HTTP: status from `httpStatusOf`, body `{ error: { code, message,
 * details } }`, a refusal counted by route and code, and a log line (error level for internal errors only).
 */
@Catch()
@Injectable()
export class RegistryErrorFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: RegistryMetrics,
    private readonly log: RegistryLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<HttpRequest>();
    const error = toRegistryError(exception);
    const status = httpStatusOf(error.code);
    const route = request.route?.path === undefined ? 'unmatched' : `${request.method} ${request.route.path}`;
    this.metrics.refusals.inc({ route, code: error.code });
    if (status >= 500) {
      this.log.error('registry_request_failed', { route, code: error.code, error: exception });
    } else {
      this.log.info('registry_request_refused', { route, code: error.code, details: error.details });
    }
    const body = { error: { code: error.code, message: error.message, details: error.details } };
    this.adapterHost.httpAdapter.reply(context.getResponse(), body, status);
  }
}
