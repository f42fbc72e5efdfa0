import { ZodValidationPipe } from '@groundtruth/service-kit/http';
import { Injectable } from '@nestjs/common';
import { RegistryError } from './registry.error.js';

/** The kit's zod validation pipe, failing with a VALIDATION RegistryError (body, param or query and each path). */
@Injectable()
export class RegistryValidationPipe extends ZodValidationPipe {
  constructor() {
    super((message, details) => new RegistryError('VALIDATION', message, details));
  }
}
