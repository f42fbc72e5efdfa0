import { CliError } from './cli-error.js';

/** Who answers at `base`: named in errors so a person knows which service to look at. */
export interface ApiTarget {
  readonly name: string;
  readonly base: string;
}

const NOT_RUNNING_HINT = 'is the network running? Start it with `npm start`, or pass the service URL with --api';

/** Parses a service's error body (`{ code, message }` or text) into one readable line. */
function describeFailure(status: number, text: string): string {
  try {
    const parsed = JSON.parse(text) as { code?: unknown; message?: unknown; error?: unknown };
    // `{ error: { code, message } }` (market), or `{ code, message }`
    const body = (typeof parsed.error === 'object' && parsed.error !== null ? parsed.error : parsed) as typeof parsed;
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    const code = typeof body.code === 'string' ? body.code : typeof body.error === 'string' ? body.error : undefined;
    if (typeof message === 'string') {
      return `${code === undefined ? '' : `${code}: `}${message} (HTTP ${status})`;
    }
  } catch {
    // not JSON
  }
  return `HTTP ${status}${text === '' ? '' : `: ${text.slice(0, 300)}`}`;
}

/** One JSON request to a GroundTruth API; network failures and non-2xx answers become a {@link CliError}. */
export async function requestJson<T>(
  target: ApiTarget,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const url = new URL(route, target.base.endsWith('/') ? target.base : target.base + '/').toString();
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError(`cannot reach the ${target.name} at ${target.base} (${cause})`, NOT_RUNNING_HINT);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new CliError(`the ${target.name} refused ${method} ${route}: ${describeFailure(response.status, text)}`);
  }
  try {
    return (text === '' ? undefined : JSON.parse(text)) as T;
  } catch {
    throw new CliError(`the ${target.name} answered ${method} ${route} with something that is not JSON`);
  }
}
