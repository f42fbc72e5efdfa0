import { generateKeyPair } from '@groundtruth/protocol';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEVICES_CHANGED_CHANNEL } from '../src/index.js';
import { newRegistration, RegistryUnderTest, transferOf } from './registry-fixture.js';

describe('change notifications', () => {
  let registry: RegistryUnderTest;
  const listener = new pg.Client({ connectionString: inject('databaseUrl') });
  const received: string[] = [];
  let arrived: () => void = () => undefined;

  beforeAll(async () => {
    registry = await RegistryUnderTest.start();
    await listener.connect();
    listener.on('notification', (message) => {
      if (message.channel === DEVICES_CHANGED_CHANNEL && message.payload) {
        received.push(message.payload);
        arrived();
      }
    });
    await listener.query(`LISTEN ${DEVICES_CHANGED_CHANNEL}`);
  });
  afterAll(async () => {
    await listener.end();
    await registry.close();
  });

  /** Resolves once `count` notifications have arrived in total (or fails the test after 5 s). */
  const notificationsUpTo = (count: number) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${count} notifications`)), 5_000);
      arrived = () => {
        if (received.length >= count) {
          clearTimeout(timer);
          resolve([...received]);
        }
      };
      arrived();
    });

  it('announces registration, transfer and status changes on gt_devices_changed, and nothing for refusals', async () => {
    // Given a LISTENing client, and a request that will be refused
    const refusedDevice = newRegistration({ expires_at: Date.now() - 1 });
    expect((await registry.post('/devices', refusedDevice.signed())).status).toBe(400);

    // When a device is registered, transferred and suspended
    const { device, owner, signed } = newRegistration();
    expect((await registry.post('/devices', signed())).status).toBe(201);
    const buyer = generateKeyPair();
    expect(
      (await registry.post(`/devices/${device.deviceId}/transfer`, transferOf(device, owner, buyer).signed())).status,
    ).toBe(200);
    expect((await registry.operator(`/devices/${device.deviceId}/suspend`, { reason: 'test' })).status).toBe(200);

    // Then exactly three notifications carry the changed device's id, and none names the refused one
    expect(await notificationsUpTo(3)).toEqual([device.deviceId, device.deviceId, device.deviceId]);
  });
});

describe('API description and metrics', () => {
  let registry: RegistryUnderTest;
  beforeAll(async () => {
    registry = await RegistryUnderTest.start();
  });
  afterAll(() => registry.close());

  it('lists every route in the OpenAPI document at /docs-json and serves the UI at /docs', async () => {
    const docs = await registry.get('/docs-json');
    expect(docs.status).toBe(200);
    const routes = Object.entries(docs.body.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'POST /devices',
        'GET /devices/{id}',
        'GET /devices/{id}/history',
        'GET /owners/{wallet}/devices',
        'POST /devices/{id}/transfer',
        'POST /devices/{id}/suspend',
        'POST /devices/{id}/revoke',
        'POST /devices/{id}/reinstate',
        'POST /makers',
        'GET /makers/{key}',
      ].sort(),
    );
    // the request body is documented from the zod schema
    const body = docs.body.paths['/devices'].post.requestBody.content['application/json'].schema;
    const schema = body.$ref ? docs.body.components.schemas[body.$ref.split('/').pop()] : body;
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['request', 'device_sig', 'owner_sig']));
    const ui = await registry.get('/docs');
    expect([ui.status, String(ui.body)]).toEqual([200, expect.stringContaining('swagger')]);
  });

  it('counts registrations and refusals by code on /metrics', async () => {
    expect((await registry.post('/devices', newRegistration().signed())).status).toBe(201);
    const { signed } = newRegistration();
    expect((await registry.post('/devices', { ...signed(), owner_sig: signed().device_sig })).status).toBe(403);

    const metrics = await registry.get('/metrics');

    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/gt_registry_registrations_total\{kind="weather",attested="false"\} 1/);
    expect(metrics.body).toMatch(/gt_registry_refusals_total\{route="POST \/devices",code="BAD_OWNER_SIGNATURE"\} 1/);
  });
});
