/**
 * The HTTP endpoint Ecowitt / Weather Underground gateways push to. One server can serve many stations
 * (routed by PASSKEY or WU station ID), so a thousand simulated stations share one port. Transport only:
 * parsing lives in ecowitt.parser.ts. Never throws on a request; every refused request is counted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RejectCounters, type FrameRejectReason } from './adapter.js';
import { parseEcowittForm, parseWundergroundQuery, type WeatherPush } from './ecowitt.parser.js';

export const WU_UPLOAD_PATH = '/weatherstation/updateweatherstation.php';

/** A station the server delivers to. A route with neither key receives every push (single-station bridge). */
export interface WeatherStationRoute {
  readonly passkey?: string;
  readonly stationId?: string;
  /** when set, a WU push must carry this PASSWORD */
  readonly password?: string;
  readonly altitudeM?: number;
  /** `false`: the bridge cannot store it now; the gateway gets 503 (counted by the bridge, not as a bad frame) */
  deliver(push: WeatherPush): boolean | void;
  reject(reason: FrameRejectReason, detail: string): void;
}

export interface EcowittServerOptions {
  readonly host?: string;
  /** 0 picks a free port */
  readonly port?: number;
  readonly maxBodyBytes?: number;
  readonly now?: () => number;
  /** told about every request no route could be blamed for (also counted in `counters`) */
  readonly onUnrouted?: (reason: FrameRejectReason, detail: string) => void;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    /** undefined: nothing wrong with the request (503), so nothing to count against the station */
    readonly reason: FrameRejectReason | undefined,
    message: string,
    /** the body read before the request was refused (an oversized form still names its PASSKEY first) */
    readonly bodyPrefix?: string,
  ) {
    super(message);
  }
}

export class EcowittServer {
  /** requests no station route could be blamed for (unknown PASSKEY, bad path, unreadable body) */
  readonly counters = new RejectCounters();
  private readonly byPasskey = new Map<string, WeatherStationRoute>();
  private readonly byStationId = new Map<string, WeatherStationRoute>();
  private catchAll: WeatherStationRoute | undefined;
  private readonly server: Server;
  private listening = false;

  constructor(private readonly options: EcowittServerOptions = {}) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 65_000;
  }

  async listen(): Promise<number> {
    if (!this.listening) {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
          this.server.removeListener('error', reject);
          resolve();
        });
      });
      this.listening = true;
    }
    return this.port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async close(): Promise<void> {
    if (!this.listening) {
      return;
    }
    this.listening = false;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Routes pushes for a station here; returns the function that removes the route. */
  route(route: WeatherStationRoute): () => void {
    if (route.passkey === undefined && route.stationId === undefined) {
      this.catchAll = route;
    }
    if (route.passkey !== undefined) {
      this.byPasskey.set(route.passkey, route);
    }
    if (route.stationId !== undefined) {
      this.byStationId.set(route.stationId, route);
    }
    return () => {
      if (this.catchAll === route) {
        this.catchAll = undefined;
      }
      if (route.passkey !== undefined && this.byPasskey.get(route.passkey) === route) {
        this.byPasskey.delete(route.passkey);
      }
      if (route.stationId !== undefined && this.byStationId.get(route.stationId) === route) {
        this.byStationId.delete(route.stationId);
      }
    };
  }

  get routeCount(): number {
    return this.byPasskey.size + this.byStationId.size + (this.catchAll ? 1 : 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let route: WeatherStationRoute | undefined;
    try {
      const url = new URL(req.url ?? '/', 'http://gateway.invalid');
      if (req.method === 'GET' && url.pathname === WU_UPLOAD_PATH) {
        route = this.findWunderground(url.searchParams);
        this.checkWundergroundPassword(route, url.searchParams);
        this.deliver(route, parseWundergroundQuery(url.searchParams, this.parseOptions(route)));
        return reply(res, 200, 'success\n');
      }
      if (req.method !== 'POST') {
        throw new RequestError(req.method === 'GET' ? 404 : 405, 'bad_request', `${req.method} ${url.pathname}`);
      }
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') {
        throw new RequestError(415, 'bad_request', `content-type "${type}" (Ecowitt posts a form)`);
      }
      let body: string;
      try {
        body = await readBody(req, this.options.maxBodyBytes ?? 16_384);
      } catch (error) {
        // Blame the station the refused form names, if any, so its owner sees the refusal in its counters.
        const prefix = error instanceof RequestError ? error.bodyPrefix : undefined;
        const named =
          prefix === undefined ? undefined : new URLSearchParams(prefix.slice(0, prefix.lastIndexOf('&') + 1));
        const passkey = named?.get('PASSKEY') ?? undefined;
        route = passkey === undefined ? undefined : this.byPasskey.get(passkey);
        throw error;
      }
      const params = new URLSearchParams(body);
      const passkey = params.get('PASSKEY');
      route = passkey === null ? this.catchAll : (this.byPasskey.get(passkey) ?? this.catchAll);
      if (!route) {
        throw new RequestError(
          passkey === null ? 400 : 401,
          passkey === null ? 'bad_request' : 'unknown_station',
          passkey === null ? 'PASSKEY missing' : `unknown PASSKEY ${passkey}`,
        );
      }
      this.deliver(route, parseEcowittForm(params, this.parseOptions(route)));
      return reply(res, 200, 'OK');
    } catch (error) {
      const failure = error instanceof RequestError ? error : new RequestError(400, 'bad_request', String(error));
      if (failure.reason === undefined) {
        // not the request's fault: the bridge refused and counted it
      } else if (route) {
        route.reject(failure.reason, failure.message);
      } else {
        this.counters.add(failure.reason);
        this.options.onUnrouted?.(failure.reason, failure.message);
      }
      reply(
        res,
        failure.status,
        failure.status === 401
          ? 'INVALIDPASSWORDID|Password or key and/or id are incorrect\n'
          : `${failure.reason ?? 'unavailable'}: ${failure.message}\n`,
      );
    }
  }

  private findWunderground(params: URLSearchParams): WeatherStationRoute {
    const id = params.get('ID');
    const route = id === null ? this.catchAll : (this.byStationId.get(id) ?? this.catchAll);
    if (!route) {
      throw new RequestError(
        id === null ? 400 : 401,
        id === null ? 'bad_request' : 'unknown_station',
        `station ID ${id}`,
      );
    }
    return route;
  }

  /** A wrong PASSWORD for a known station ID is that station's refusal (someone else pushing as it). */
  private checkWundergroundPassword(route: WeatherStationRoute, params: URLSearchParams): void {
    if (route.password !== undefined && params.get('PASSWORD') !== route.password) {
      throw new RequestError(401, 'unknown_station', `wrong PASSWORD for ID ${params.get('ID')}`);
    }
  }

  private parseOptions(route: WeatherStationRoute) {
    return { now: (this.options.now ?? Date.now)(), altitudeM: route.altitudeM ?? 0 };
  }

  private deliver(route: WeatherStationRoute, result: ReturnType<typeof parseEcowittForm>): void {
    if (!result.ok) {
      throw new RequestError(400, result.error.reason, result.error.detail);
    }
    if (route.deliver(result.value) === false) {
      // Not "OK": the reading is not stored, and a gateway must not count it as delivered.
      throw new RequestError(503, undefined, 'the bridge cannot store readings right now');
    }
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain',
    'content-length': Buffer.byteLength(text),
    // an oversized body was not read to its end: this connection cannot carry another request
    ...(status === 413 ? { connection: 'close' } : {}),
    ...(status === 503 ? { 'retry-after': '30' } : {}),
  });
  res.end(text);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Not req.destroy(): that closes the socket under the 413 reply and the gateway only sees a hang-up.
        // Stop keeping the body and let the reply close the connection (`Connection: close`) once it is sent.
        req.removeAllListeners('data');
        req.resume();
        const prefix = Buffer.concat([...chunks, chunk])
          .subarray(0, maxBytes)
          .toString('latin1');
        reject(new RequestError(413, 'bad_request', `body larger than ${maxBytes} bytes`, prefix));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    req.on('error', (error) => reject(new RequestError(400, 'truncated', error.message)));
  });
}
