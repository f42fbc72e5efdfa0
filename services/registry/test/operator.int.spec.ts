import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration, OPERATOR, RegistryUnderTest } from './registry-fixture.js';

describe('operator actions on a device', () => {
  let registry: RegistryUnderTest;
  beforeAll(async () => {
    registry = await RegistryUnderTest.start();
  });
  afterAll(() => registry.close());

  async function registeredDevice(): Promise<string> {
    const registration = newRegistration();
    expect((await registry.post('/devices', registration.signed())).status).toBe(201);
    return registration.request.device;
  }

  it('refuses to suspend without an operator token, or with a wrong one', async () => {
    const id = await registeredDevice();

    const anonymous = await registry.post(`/devices/${id}/suspend`, { reason: 'spam' });
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);

    const wrong = await registry.post(
      `/devices/${id}/suspend`,
      { reason: 'spam' },
      { authorization: `Bearer ${OPERATOR.token}x` },
    );
    expect([wrong.status, wrong.body.error.code]).toEqual([403, 'FORBIDDEN']);

    const basic = await registry.post(
      `/devices/${id}/suspend`,
      { reason: 'spam' },
      { authorization: `Basic ${OPERATOR.token}` },
    );
    expect(basic.body.error.code).toBe('UNAUTHENTICATED');

    expect((await registry.get(`/devices/${id}`)).body.status).toBe('active');
  });

  it('suspends with a reason, reinstates, and revokes for good', async () => {
    // Given an active device
    const id = await registeredDevice();

    // When an operator suspends it
    const suspended = await registry.operator(`/devices/${id}/suspend`, { reason: 'readings copied from a neighbour' });

    // Then it is suspended with the reason, and a second suspension is refused
    expect(suspended.status).toBe(200);
    expect(suspended.body).toMatchObject({ status: 'suspended', status_reason: 'readings copied from a neighbour' });
    const twice = await registry.operator(`/devices/${id}/suspend`, { reason: 'again' });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'INVALID_STATUS_TRANSITION']);

    // And reinstating makes it active again; revoking is final
    expect(
      (await registry.operator(`/devices/${id}/reinstate`, { reason: 'owner fixed the sensor' })).body.status,
    ).toBe('active');
    expect((await registry.operator(`/devices/${id}/revoke`, { reason: 'key leaked' })).body.status).toBe('revoked');
    const back = await registry.operator(`/devices/${id}/reinstate`, { reason: 'please' });
    expect([back.status, back.body.error.code]).toEqual([409, 'DEVICE_REVOKED']);

    // And the history names the operator and each reason
    const history = await registry.get(`/devices/${id}/history`);
    expect(history.body.events.slice(1)).toMatchObject([
      { action: 'suspended', actor: OPERATOR.name, reason: 'readings copied from a neighbour' },
      { action: 'reinstated', actor: OPERATOR.name, reason: 'owner fixed the sensor' },
      { action: 'revoked', actor: OPERATOR.name, reason: 'key leaked' },
    ]);
  });

  it('needs a reason, and a device that exists', async () => {
    const id = await registeredDevice();
    const noReason = await registry.operator(`/devices/${id}/suspend`, { reason: '  ' });
    expect([noReason.status, noReason.body.error.code]).toEqual([400, 'VALIDATION']);
    const ghost = newRegistration().request.device;
    const unknown = await registry.operator(`/devices/${ghost}/suspend`, { reason: 'spam' });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'UNKNOWN_DEVICE']);
  });
});

describe('a registry without operator tokens', () => {
  it('refuses every operator request', async () => {
    const registry = await RegistryUnderTest.start({ REGISTRY_OPERATOR_TOKENS: '' });
    try {
      const reply = await registry.operator(`/devices/${newRegistration().request.device}/suspend`, { reason: 'x' });
      expect([reply.status, reply.body.error.code]).toEqual([403, 'FORBIDDEN']);
    } finally {
      await registry.close();
    }
  });
});
