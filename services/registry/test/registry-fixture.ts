import type { AddressInfo } from 'node:net';
import {
  attestDevice,
  generateKeyPair,
  randomNonce,
  signRegistration,
  signTransfer,
  TweetnaclSigner,
  type DeviceKeyPair,
  type RegistrationRequest,
  type SignedRegistration,
  type TransferRequest,
  type WalletAddress,
} from '@groundtruth/protocol';
import { parseConfig, silentLogger } from '@groundtruth/service-kit';
import type { INestApplication } from '@nestjs/common';
import { Registry } from 'prom-client';
import { inject } from 'vitest';
import { createRegistryApp, registryConfigSchema } from '../src/index.js';

/** Operator tokens every test app accepts. */
export const OPERATOR = { name: 'ops-alice', token: 'alice-token-0123456789abcdef' };

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers, asserted field by field
}

/** A registry listening on a free port of 127.0.0.1, talking to the private PostgreSQL of the global setup. */
export class RegistryUnderTest {
  private constructor(
    readonly app: INestApplication,
    readonly baseUrl: string,
    readonly metrics: Registry,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<RegistryUnderTest> {
    const config = parseConfig(registryConfigSchema, {
      DATABASE_URL: inject('databaseUrl'),
      REGISTRY_OPERATOR_TOKENS: `${OPERATOR.name}=${OPERATOR.token}`,
      ...env,
    });
    const metrics = new Registry();
    const app = await createRegistryApp(config, { logger: silentLogger, metricsRegistry: metrics });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    return new RegistryUnderTest(app, `http://127.0.0.1:${port}`, metrics);
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, body: type.includes('json') ? JSON.parse(text) : text };
  }

  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.request('POST', path, body, headers);
  }

  get(path: string): Promise<Reply> {
    return this.request('GET', path);
  }

  /** POST as the configured operator. */
  operator(path: string, body: unknown): Promise<Reply> {
    return this.post(path, body, { authorization: `Bearer ${OPERATOR.token}` });
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

export const wallet = (keys: DeviceKeyPair): WalletAddress => keys.deviceId as string as WalletAddress;
export const signer = (keys: DeviceKeyPair) => new TweetnaclSigner(keys);

/** A fresh device and owner wallet, and a valid registration request binding them. */
export function newRegistration(overrides: Partial<RegistrationRequest> = {}) {
  const device = generateKeyPair();
  const owner = generateKeyPair();
  const request: RegistrationRequest = {
    v: 1,
    type: 'register',
    device: device.deviceId,
    owner: wallet(owner),
    kind: 'weather',
    model: 'Ecowitt GW2000',
    interval_s: 60,
    location: { lat: 52.0907, lon: 5.1214, alt: 5 },
    nonce: randomNonce(),
    expires_at: Date.now() + 5 * 60_000,
    ...overrides,
  };
  const signed = (): SignedRegistration => signRegistration(request, signer(device), signer(owner));
  return { device, owner, request, signed };
}

export function attested(maker: DeviceKeyPair) {
  const registration = newRegistration();
  const request = { ...registration.request, maker: wallet(maker) };
  const makerSig = attestDevice(request.device, signer(maker));
  return {
    ...registration,
    request,
    signed: () => signRegistration(request, signer(registration.device), signer(registration.owner), makerSig),
  };
}

export function transferOf(device: DeviceKeyPair, from: DeviceKeyPair, to: DeviceKeyPair, expiresInMs = 60_000) {
  const request: TransferRequest = {
    v: 1,
    type: 'transfer',
    device: device.deviceId,
    from_owner: wallet(from),
    to_owner: wallet(to),
    nonce: randomNonce(),
    expires_at: Date.now() + expiresInMs,
  };
  return { request, signed: () => signTransfer(request, signer(from), signer(to)) };
}
