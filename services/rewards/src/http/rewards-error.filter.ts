import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from '@groundtruth/service-kit';
import { RewardsError, type RewardsErrorCode } from '../core/errors.js';

const STATUS: Partial<Record<RewardsErrorCode, number>> = {
  BAD_REQUEST: 400,
  EPOCH_NOT_FOUND: 404,
  DEVICE_NOT_IN_EPOCH: 404,
  RUNNER_BUSY: 409,
};

interface HttpResponse {
  status(code: number): HttpResponse;
  json(body: unknown): void;
}

/** Errors as `{ error: { code, message } }`: RewardsError codes mapped to HTTP statuses here, at the edge. */
@Catch()
export class RewardsErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    if (error instanceof RewardsError) {
      response.status(STATUS[error.code] ?? 500).json({ error: { code: error.code, message: error.message } });
      return;
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      response
        .status(status)
        .json({ error: { code: status === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', message: error.message } });
      return;
    }
    this.logger.error('rewards_http_error', { error });
    response.status(500).json({ error: { code: 'INTERNAL', message: 'internal error' } });
  }
}
