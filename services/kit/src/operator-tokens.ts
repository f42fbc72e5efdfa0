import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** An operator credential from the configuration: who (for audit trails and run ledgers) and the bearer token. */
export interface OperatorToken {
  readonly name: string;
  readonly token: string;
}

export const MIN_OPERATOR_TOKEN_LENGTH = 16;

/**
 * Parses `name=token,name2=token2` (a bare `token` is named `operator-<n>`). Throws on a token shorter than
 * {@link MIN_OPERATOR_TOKEN_LENGTH} or a repeated name, so a weak configuration fails at start-up.
 */
export function parseOperatorTokens(text: string): OperatorToken[] {
  const entries = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  const tokens = entries.map((entry, i) => {
    const at = entry.indexOf('=');
    const name = at > 0 ? entry.slice(0, at).trim() : `operator-${i + 1}`;
    const token = at > 0 ? entry.slice(at + 1).trim() : entry;
    if (token.length < MIN_OPERATOR_TOKEN_LENGTH) {
      throw new Error(`operator token of "${name}" is shorter than ${MIN_OPERATOR_TOKEN_LENGTH} characters`);
    }
    return { name, token };
  });
  const names = new Set(tokens.map((t) => t.name));
  if (names.size !== tokens.length) {
    throw new Error('operator token names must be unique');
  }
  return tokens;
}

/**
 * A zod schema for an operator-token environment variable (`name=token,...`, empty by default = nobody is an
 * operator), parsed with {@link parseOperatorTokens}; a weak or ambiguous value is a config issue naming the variable.
 *
 * @example
 * z.object({ REGISTRY_OPERATOR_TOKENS: operatorTokensEnv() })
 */
export const operatorTokensEnv = () =>
  z
    .string()
    .default('')
    .transform((text, ctx): OperatorToken[] => {
      try {
        return parseOperatorTokens(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    });

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * The operator whose token `presented` is, or undefined. Compares SHA-256 digests with `timingSafeEqual`
 * (equal lengths whatever was sent) and always checks every configured token, so the time taken tells an
 * attacker neither a token's length nor how much of it matched.
 */
export function matchOperator(tokens: readonly OperatorToken[], presented: string): OperatorToken | undefined {
  const candidate = digest(presented);
  let found: OperatorToken | undefined;
  for (const entry of tokens) {
    if (timingSafeEqual(digest(entry.token), candidate) && found === undefined) {
      found = entry;
    }
  }
  return found;
}

/** The token of an `Authorization: Bearer <token>` header value, if it has that form. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
