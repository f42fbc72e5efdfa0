import { generateKeyPair } from '@groundtruth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newRegistration, RegistryUnderTest, transferOf, wallet } from './registry-fixture.js';

describe('transferring a device to another owner', () => {
  let registry: RegistryUnderTest;
  beforeAll(async () => {
    registry = await RegistryUnderTest.start();
  });
  afterAll(() => registry.close());

  async function registered() {
    const registration = newRegistration();
    expect((await registry.post('/devices', registration.signed())).status).toBe(201);
    return registration;
  }

  it('moves the device when the old and the new owner both signed', async () => {
    // Given a registered device and a buyer
    const { device, owner, request } = await registered();
    const buyer = generateKeyPair();

    // When both wallets sign the transfer
    const reply = await registry.post(
      `/devices/${device.deviceId}/transfer`,
      transferOf(device, owner, buyer).signed(),
    );

    // Then the buyer owns it, it is listed under the buyer and no longer under the seller
    expect(reply.status).toBe(200);
    expect(reply.body.owner).toBe(wallet(buyer));
    expect((await registry.get(`/owners/${wallet(buyer)}/devices`)).body.devices).toHaveLength(1);
    expect((await registry.get(`/owners/${request.owner}/devices`)).body.devices).toHaveLength(0);
    const history = await registry.get(`/devices/${device.deviceId}/history`);
    expect(history.body.events.map((e: { action: string }) => e.action)).toEqual(['registered', 'transferred']);
    expect(history.body.events[1]).toMatchObject({
      actor: request.owner,
      from_owner: request.owner,
      to_owner: wallet(buyer),
    });
  });

  it("refuses a transfer without the new owner's signature, and leaves the owner unchanged", async () => {
    const { device, owner, request } = await registered();
    const buyer = generateKeyPair();
    const { to_sig: _unsigned, ...onlySeller } = transferOf(device, owner, buyer).signed();

    const reply = await registry.post(`/devices/${device.deviceId}/transfer`, onlySeller);

    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({ code: 'TRANSFER_NOT_SIGNED_BY_NEW_OWNER', details: { path: 'to_sig' } });
    expect((await registry.get(`/devices/${device.deviceId}`)).body.owner).toBe(request.owner);

    // nor does the seller's signature stand in for the buyer's
    const signed = transferOf(device, owner, buyer).signed();
    const doubled = await registry.post(`/devices/${device.deviceId}/transfer`, { ...signed, to_sig: signed.from_sig });
    expect(doubled.body.error.code).toBe('TRANSFER_NOT_SIGNED_BY_NEW_OWNER');
  });

  it('refuses a transfer signed by someone who is not the current owner', async () => {
    const { device } = await registered();
    const [stranger, accomplice] = [generateKeyPair(), generateKeyPair()];

    const reply = await registry.post(
      `/devices/${device.deviceId}/transfer`,
      transferOf(device, stranger, accomplice).signed(),
    );

    expect([reply.status, reply.body.error.code]).toEqual([409, 'NOT_CURRENT_OWNER']);
  });

  it('refuses to replay an old transfer after the device came back to its first owner', async () => {
    // Given A sold to B, then B sold back to A
    const { device, owner } = await registered();
    const b = generateKeyPair();
    const aToB = transferOf(device, owner, b).signed();
    expect((await registry.post(`/devices/${device.deviceId}/transfer`, aToB)).status).toBe(200);
    expect(
      (await registry.post(`/devices/${device.deviceId}/transfer`, transferOf(device, b, owner).signed())).status,
    ).toBe(200);

    // When B replays the first transfer to take the device again
    const replay = await registry.post(`/devices/${device.deviceId}/transfer`, aToB);

    // Then it is refused as a replay, and A keeps the device
    expect([replay.status, replay.body.error.code]).toEqual([409, 'NONCE_REUSED']);
    expect((await registry.get(`/devices/${device.deviceId}`)).body.owner).toBe(wallet(owner));
  });

  it("pages through a wallet's devices in ascending id order", async () => {
    // Given a wallet that bought three devices
    const buyer = generateKeyPair();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { device, owner } = await registered();
      expect(
        (await registry.post(`/devices/${device.deviceId}/transfer`, transferOf(device, owner, buyer).signed())).status,
      ).toBe(200);
      ids.push(device.deviceId);
    }

    // When its devices are listed two at a time
    const page1 = await registry.get(`/owners/${wallet(buyer)}/devices?limit=2`);
    const page2 = await registry.get(`/owners/${wallet(buyer)}/devices?limit=2&after=${page1.body.next}`);

    // Then the pages hold all three, in id order, and the last page says there is no more
    const listed = [...page1.body.devices, ...page2.body.devices].map((d: { device: string }) => d.device);
    expect(listed).toEqual([...ids].sort());
    expect(page2.body.next).toBeNull();
    const bad = await registry.get(`/owners/${wallet(buyer)}/devices?limit=0`);
    expect([bad.status, bad.body.error.code, bad.body.error.details.in]).toEqual([400, 'VALIDATION', 'query']);
  });

  it('refuses a transfer posted to another device, of an unknown device, or already expired', async () => {
    const first = await registered();
    const second = await registered();
    const buyer = generateKeyPair();
    const body = transferOf(first.device, first.owner, buyer).signed();
    const misrouted = await registry.post(`/devices/${second.device.deviceId}/transfer`, body);
    expect([misrouted.status, misrouted.body.error.code]).toEqual([400, 'DEVICE_MISMATCH']);

    const ghost = generateKeyPair();
    const unknown = await registry.post(
      `/devices/${ghost.deviceId}/transfer`,
      transferOf(ghost, first.owner, buyer).signed(),
    );
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'UNKNOWN_DEVICE']);

    const stale = transferOf(first.device, first.owner, buyer, -1).signed();
    const expired = await registry.post(`/devices/${first.device.deviceId}/transfer`, stale);
    expect([expired.status, expired.body.error.code]).toEqual([400, 'REQUEST_EXPIRED']);
    expect((await registry.get(`/devices/${first.device.deviceId}`)).body.owner).toBe(first.request.owner);
  });
});
