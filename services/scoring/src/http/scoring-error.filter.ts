import { Catch, HttpException, Injectable, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ScoringError } from '../errors.js';
import { ScoringLogger } from '../scoring.deps.js';
import { ServiceMetrics } from '../service.metrics.js';
import { ScoringApiError } from './api-error.js';
import { httpStatusOf } from './error-status.js';

interface HttpRequest {
  method: string;
  url: string;
  route?: { path?: string };
}

/** Turns what a handler, guard, pipe or the body parser threw into a ScoringApiError. */
export function toApiError(exception: unknown): ScoringApiError {
  if (exception instanceof ScoringApiError) {
    return exception;
  }
  if (exception instanceof ScoringError) {
    return ScoringApiError.fromScoring(exception);
  }
  const raw = exception as { type?: unknown; cause?: { type?: unknown } } | null;
  const type = raw?.type ?? raw?.cause?.type;
  if (type === 'entity.parse.failed') {
    return new ScoringApiError('MALFORMED_JSON', 'the request body is not valid JSON');
  }
  if (type === 'entity.too.large') {
    return new ScoringApiError('PAYLOAD_TOO_LARGE', 'the request body is too large');
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) {
      return new ScoringApiError('NOT_FOUND', 'no such route');
    }
    if (status === 413) {
      return new ScoringApiError('PAYLOAD_TOO_LARGE', 'the request body is too large');
    }
    if (status >= 400 && status < 500) {
      return new ScoringApiError('VALIDATION', exception.message);
    }
  }
  return new ScoringApiError('INTERNAL', 'internal error');
}

/**
 * The one place where error codes become HTTP: status from `httpStatusOf`, body `{ error: { code, message,
 * details } }`, a refusal counted by route and code, and a log line (error level for internal errors only).
 */
@Catch()
@Injectable()
export class ScoringErrorFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: ServiceMetrics,
    private readonly log: ScoringLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<HttpRequest>();
    const error = toApiError(exception);
    const status = httpStatusOf(error.code);
    const route = request.route?.path === undefined ? 'unmatched' : `${request.method} ${request.route.path}`;
    this.metrics.refusals.inc({ route, code: error.code });
    if (status >= 500) {
      this.log.error('scoring_request_failed', { route, code: error.code, error: exception });
    } else {
      this.log.info('scoring_request_refused', { route, code: error.code, details: error.details });
    }
    const body = { error: { code: error.code, message: error.message, details: error.details } };
    this.adapterHost.httpAdapter.reply(context.getResponse(), body, status);
  }
}
