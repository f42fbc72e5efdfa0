import { Catch, HttpException, Injectable, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MarketError } from '../core/market-error.js';
import { MarketLogger } from '../market.deps.js';
import { MarketMetrics } from '../market.metrics.js';
import { httpStatusOf } from './error-status.js';

interface HttpRequest {
  method: string;
  route?: { path?: string };
}

type EdgeError = { code: string; message: string; status: number; details: Record<string, unknown> };

/** Turns what a handler, pipe or the body parser threw into a stable code and status. */
export function toEdgeError(exception: unknown): EdgeError {
  if (exception instanceof MarketError) {
    return {
      code: exception.code,
      message: exception.message,
      status: httpStatusOf(exception.code),
      details: { ...exception.context },
    };
  }
  const raw = exception as { type?: unknown; cause?: { type?: unknown } } | null;
  const type = raw?.type ?? raw?.cause?.type;
  if (type === 'entity.parse.failed') {
    return { code: 'MALFORMED_JSON', message: 'the request body is not valid JSON', status: 400, details: {} };
  }
  if (type === 'entity.too.large') {
    return { code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large', status: 413, details: {} };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) {
      return { code: 'NOT_FOUND', message: 'no such route', status, details: {} };
    }
    if (status >= 400 && status < 500) {
      return { code: 'VALIDATION', message: exception.message, status: 400, details: {} };
    }
  }
  return { code: 'INTERNAL', message: 'internal error', status: 500, details: {} };
}

/**
 * The one place where market error codes become HTTP: body `{ error: { code, message, details } }`, the
 * refusal counted by route and code, and a log line (error level for internal errors only).
 */
@Catch()
@Injectable()
export class MarketErrorFilter implements ExceptionFilter {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MarketMetrics,
    private readonly log: MarketLogger,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<HttpRequest>();
    const error = toEdgeError(exception);
    const route = request.route?.path === undefined ? 'unmatched' : `${request.method} ${request.route.path}`;
    this.metrics.refusals.inc({ route, code: error.code });
    if (error.status >= 500) {
      this.log.error('market_request_failed', { route, code: error.code, error: exception });
    } else {
      this.log.info('market_request_refused', { route, code: error.code, details: error.details });
    }
    const body = { error: { code: error.code, message: error.message, details: error.details } };
    this.adapterHost.httpAdapter.reply(context.getResponse(), body, error.status);
  }
}
