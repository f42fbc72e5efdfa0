import {
  generateKeyPair,
  registrationMessage,
  signRegistration,
  TweetnaclVerifier,
  validateRegistrationRequest,
  type DeviceId,
} from '@groundtruth/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attested, newRegistration, RegistryUnderTest, signer, wallet } from './registry-fixture.js';

describe('registering a device', () => {
  let registry: RegistryUnderTest;
  beforeAll(async () => {
    registry = await RegistryUnderTest.start();
  });
  afterAll(() => registry.close());

  it('stores a registration signed by the device and its owner, and anyone can re-verify it', async () => {
    // Given a new device and owner wallet who both sign the registration
    const { request, signed } = newRegistration();

    // When the bridge POSTs it
    const created = await registry.post('/devices', signed());

    // Then the device is registered to the owner, with what was declared
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      device: request.device,
      owner: request.owner,
      kind: 'weather',
      model: 'Ecowitt GW2000',
      interval_s: 60,
      location: { lat: 52.0907, lon: 5.1214, alt: 5 },
      status: 'active',
      status_reason: null,
      maker: null,
    });
    // and it can be looked up by id and by owner wallet
    const fetched = await registry.get(`/devices/${request.device}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
    const owned = await registry.get(`/owners/${request.owner}/devices`);
    expect(owned.body.devices.map((d: { device: string }) => d.device)).toEqual([request.device]);
    // and the stored evidence re-verifies with the owner's and the device's keys
    const evidence = fetched.body.registration;
    const stored = validateRegistrationRequest(evidence.request);
    expect(stored.ok).toBe(true);
    const message = registrationMessage(stored.ok ? stored.value : request);
    const verifier = new TweetnaclVerifier();
    expect(verifier.verify(request.device, message, Buffer.from(evidence.device_sig, 'base64'))).toBe(true);
    expect(
      verifier.verify(request.owner as string as DeviceId, message, Buffer.from(evidence.owner_sig, 'base64')),
    ).toBe(true);
    // and the history names the owner as the one who registered it
    const history = await registry.get(`/devices/${request.device}/history`);
    expect(history.body.events).toMatchObject([
      { action: 'registered', actor: request.owner, to_owner: request.owner },
    ]);
  });

  it('refuses an owner signature forged by another wallet, and stores nothing', async () => {
    // Given a registration whose owner_sig was made by someone else's wallet
    const { request, signed } = newRegistration();
    const thief = generateKeyPair();
    const forged = {
      ...signed(),
      owner_sig: Buffer.from(signer(thief).sign(registrationMessage(request))).toString('base64'),
    };

    // When it is POSTed
    const reply = await registry.post('/devices', forged);

    // Then it is refused with BAD_OWNER_SIGNATURE and the device stays unknown
    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({ code: 'BAD_OWNER_SIGNATURE', details: { path: 'owner_sig' } });
    expect((await registry.get(`/devices/${request.device}`)).body.error.code).toBe('UNKNOWN_DEVICE');
  });

  it('refuses a device proof made with another key than the device id names', async () => {
    const { request, owner } = newRegistration();
    const impostor = generateKeyPair();
    const body = {
      ...signRegistration({ ...request, device: impostor.deviceId }, signer(impostor), signer(owner)),
      request,
    };

    const reply = await registry.post('/devices', body);

    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('BAD_DEVICE_SIGNATURE');
    expect((await registry.get(`/devices/${request.device}`)).status).toBe(404);
  });

  it("refuses a device's proof lifted from its registration to one owner onto another owner's request", async () => {
    // Given a registration the device signed for its owner, and a thief who takes the device's signature
    const { request, signed } = newRegistration();
    const thief = generateKeyPair();
    const stolen = { ...request, owner: wallet(thief) };
    const lifted = {
      request: stolen,
      device_sig: signed().device_sig,
      owner_sig: Buffer.from(signer(thief).sign(registrationMessage(stolen))).toString('base64'),
    };

    // When the thief POSTs it with a valid signature of their own wallet
    const reply = await registry.post('/devices', lifted);

    // Then the device proof does not cover this request: refused, and the device stays unregistered
    expect(reply.status).toBe(403);
    expect(reply.body.error).toMatchObject({ code: 'BAD_DEVICE_SIGNATURE' });
    expect((await registry.get(`/devices/${request.device}`)).status).toBe(404);
  });

  it('refuses a replayed registration (nonce reuse) and a second registration of the same device', async () => {
    // Given a registration that was accepted
    const registration = newRegistration();
    const body = registration.signed();
    expect((await registry.post('/devices', body)).status).toBe(201);

    // When exactly the same signed body arrives again
    const replay = await registry.post('/devices', body);

    // Then it is refused as a replay
    expect(replay.status).toBe(409);
    expect(replay.body.error).toMatchObject({ code: 'NONCE_REUSED', details: { device: registration.request.device } });

    // And a freshly signed registration of the same device (new nonce, even a new owner) is refused too
    const newOwner = generateKeyPair();
    const again = { ...registration.request, owner: wallet(newOwner), nonce: 'ab'.repeat(16) };
    const second = await registry.post(
      '/devices',
      signRegistration(again, signer(registration.device), signer(newOwner)),
    );
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('DEVICE_EXISTS');
    expect((await registry.get(`/devices/${registration.request.device}`)).body.owner).toBe(registration.request.owner);
  });

  it('lets exactly one of two concurrent registrations of one device through', async () => {
    // Given two differently signed registrations of the same device, to two owners
    const first = newRegistration();
    const rival = generateKeyPair();
    const second = signRegistration(
      { ...first.request, owner: wallet(rival), nonce: 'cd'.repeat(16) },
      signer(first.device),
      signer(rival),
    );

    // When both arrive at once
    const replies = await Promise.all([registry.post('/devices', first.signed()), registry.post('/devices', second)]);

    // Then one is stored and the other refused as DEVICE_EXISTS, and the stored owner is the winner's
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = replies.find((r) => r.status === 201)!.body.owner;
    expect(replies.find((r) => r.status === 409)!.body.error.code).toBe('DEVICE_EXISTS');
    expect((await registry.get(`/devices/${first.request.device}`)).body.owner).toBe(winner);
  });

  it('refuses an expired request and one valid for longer than the registry allows', async () => {
    const expired = newRegistration({ expires_at: Date.now() - 1_000 });
    const late = await registry.post('/devices', expired.signed());
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({ code: 'REQUEST_EXPIRED', details: { path: 'request.expires_at' } });

    const farOff = newRegistration({ expires_at: Date.now() + 2 * 3_600_000 });
    const early = await registry.post('/devices', farOff.signed());
    expect(early.status).toBe(400);
    expect(early.body.error.code).toBe('EXPIRY_TOO_FAR');
    expect((await registry.get(`/devices/${expired.request.device}`)).status).toBe(404);
    expect((await registry.get(`/devices/${farOff.request.device}`)).status).toBe(404);
  });

  it('answers malformed bodies, unknown fields, bad ids and unknown routes with stable codes', async () => {
    const malformed = await registry.post('/devices', '{"request": ');
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'MALFORMED_JSON']);

    const { signed } = newRegistration();
    const extra = await registry.post('/devices', { ...signed(), colour: 'blue' });
    expect([extra.status, extra.body.error.code]).toEqual([400, 'VALIDATION']);
    expect(extra.body.error.details.issues[0].message).toMatch(/colour/);

    const badNonce = newRegistration({ nonce: 'NOT-HEX' });
    const reply = await registry.post('/devices', badNonce.signed());
    expect(reply.body.error).toMatchObject({
      code: 'VALIDATION',
      details: { in: 'body', issues: [{ path: 'request.nonce' }] },
    });

    const badId = await registry.get('/devices/not-a-key');
    expect([badId.status, badId.body.error.code, badId.body.error.details.in]).toEqual([400, 'VALIDATION', 'param']);

    const huge = await registry.post('/devices', {
      ...signed(),
      request: { ...signed().request, model: 'x'.repeat(20_000) },
    });
    expect([huge.status, huge.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);

    const nowhere = await registry.get('/nowhere');
    expect([nowhere.status, nowhere.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('accepts a maker attestation from a registered maker key only', async () => {
    // Given a maker key registered by an operator
    const maker = generateKeyPair();
    const added = await registry.operator('/makers', { key: maker.deviceId, name: 'Acme Sensors' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ key: maker.deviceId, name: 'Acme Sensors', registered_by: 'ops-alice' });
    expect((await registry.operator('/makers', { key: maker.deviceId, name: 'again' })).body.error.code).toBe(
      'MAKER_EXISTS',
    );

    // When a device it attested registers, the attestation is kept
    const good = attested(maker);
    const reply = await registry.post('/devices', good.signed());
    expect(reply.status).toBe(201);
    expect(reply.body.maker).toBe(maker.deviceId);
    expect(reply.body.registration.maker_sig).toBe(good.signed().maker_sig);

    // But an attestation by an unregistered key, or a forged one, is refused
    const stranger = attested(generateKeyPair());
    expect((await registry.post('/devices', stranger.signed())).body.error.code).toBe('UNKNOWN_MAKER');
    const forged = attested(maker);
    const wrongSig = { ...forged.signed(), maker_sig: stranger.signed().maker_sig };
    const refused = await registry.post('/devices', wrongSig);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'BAD_MAKER_SIGNATURE']);
  });
});

describe('a registry that requires maker attestations', () => {
  it('refuses unattested devices', async () => {
    const registry = await RegistryUnderTest.start({ REGISTRY_REQUIRE_MAKER_ATTESTATION: 'true' });
    try {
      const reply = await registry.post('/devices', newRegistration().signed());
      expect([reply.status, reply.body.error.code]).toEqual([403, 'MAKER_ATTESTATION_REQUIRED']);
    } finally {
      await registry.close();
    }
  });
});
