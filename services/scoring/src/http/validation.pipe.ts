import { ZodValidationPipe } from '@groundtruth/service-kit/http';
import { Injectable } from '@nestjs/common';
import { ScoringApiError } from './api-error.js';

/** The kit's zod validation pipe, failing with a VALIDATION ScoringApiError (body, param or query and each path). */
@Injectable()
export class ScoringValidationPipe extends ZodValidationPipe {
  constructor() {
    super((message, details) => new ScoringApiError('VALIDATION', message, details));
  }
}
