import { createParamDecorator, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ScoringSettings } from '../scoring.deps.js';
import { ScoringApiError } from './api-error.js';
import { bearerToken, matchOperator, type OperatorToken } from '@groundtruth/service-kit';

interface OperatorRequest {
  headers: Record<string, string | string[] | undefined>;
  operator?: OperatorToken;
}

/**
 * Admits requests carrying `Authorization: Bearer <token>` with one of SCORING_OPERATOR_TOKENS. No token:
 * UNAUTHENTICATED; a wrong one: FORBIDDEN. With no tokens configured every operator request is FORBIDDEN.
 */
@Injectable()
export class OperatorGuard implements CanActivate {
  constructor(private readonly settings: ScoringSettings) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<OperatorRequest>();
    const header = request.headers.authorization;
    const token = bearerToken(Array.isArray(header) ? header[0] : header);
    if (token === undefined) {
      throw new ScoringApiError(
        'UNAUTHENTICATED',
        'operator routes need an Authorization: Bearer <operator token> header',
      );
    }
    const operator = matchOperator(this.settings.operatorTokens, token);
    if (operator === undefined) {
      throw new ScoringApiError('FORBIDDEN', 'the bearer token is not an operator token');
    }
    request.operator = operator;
    return true;
  }
}

/** The operator the {@link OperatorGuard} admitted. */
export const Operator = createParamDecorator(
  (_data: unknown, context: ExecutionContext): OperatorToken =>
    context.switchToHttp().getRequest<OperatorRequest>().operator!,
);
