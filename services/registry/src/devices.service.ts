import { NodeCryptoVerifier, verifyRegistration, verifyTransfer } from '@groundtruth/protocol';
import { Injectable } from '@nestjs/common';
import { transferRefusal } from './device-rules.js';
import { toDeviceView, toEventView } from './device-view.js';
import { DevicesRepository } from './devices.repository.js';
import { MakersRepository } from './makers.repository.js';
import { Clock, RegistryLogger, RegistrySettings } from './registry.deps.js';
import { RegistryError } from './registry.error.js';
import { RegistryMetrics } from './registry.metrics.js';
import type { DeviceView } from './registry.schemas.js';

const PRUNE_EVERY_MS = 60 * 60 * 1000;
/** Nonces are kept this long past their request's expiry, a margin for clock differences. */
const NONCE_GRACE_MS = 24 * 60 * 60 * 1000;

/** Registration, ownership and look-ups: signed requests verified here, stored by the repository. */
@Injectable()
export class DevicesService {
  private readonly verifier = new NodeCryptoVerifier(10_000);
  private lastPrune = 0;

  constructor(
    private readonly devices: DevicesRepository,
    private readonly makers: MakersRepository,
    private readonly clock: Clock,
    private readonly settings: RegistrySettings,
    private readonly metrics: RegistryMetrics,
    private readonly log: RegistryLogger,
  ) {}

  /** Verifies a signed registration (proof of possession, owner wallet, maker attestation, expiry) and stores it. */
  async register(body: unknown): Promise<DeviceView> {
    const verified = verifyRegistration(body, this.verifier, this.clock.now(), {
      maxValidityMs: this.settings.maxRequestValidityMs,
    });
    if (!verified.ok) {
      throw RegistryError.fromRegistration(verified.error);
    }
    const req = verified.value.request;
    if (req.maker === undefined && this.settings.requireMakerAttestation) {
      throw new RegistryError('MAKER_ATTESTATION_REQUIRED', 'this registry only accepts devices attested by a maker');
    }
    if (req.maker !== undefined && (await this.makers.find(req.maker)) === undefined) {
      throw new RegistryError('UNKNOWN_MAKER', 'the maker key is not registered', { maker: req.maker });
    }
    const signed = body as { device_sig: string; owner_sig: string; maker_sig?: string };
    const evidence = {
      request: req,
      device_sig: signed.device_sig,
      owner_sig: signed.owner_sig,
      maker_sig: signed.maker_sig,
    };
    const row = await this.devices.insertRegistration(verified.value, evidence);
    this.metrics.registrations.inc({ kind: req.kind, attested: String(req.maker !== undefined) });
    this.log.info('device_registered', { device: req.device, owner: req.owner, kind: req.kind, maker: req.maker });
    this.pruneNoncesNowAndThen();
    return toDeviceView(row);
  }

  /** Moves a device to a new owner wallet: both the current and the new owner must have signed. */
  async transfer(id: string, body: unknown): Promise<DeviceView> {
    const verified = verifyTransfer(body, this.verifier, this.clock.now(), {
      maxValidityMs: this.settings.maxRequestValidityMs,
    });
    if (!verified.ok) {
      throw RegistryError.fromRegistration(verified.error);
    }
    const req = verified.value.request;
    if (req.device !== id) {
      throw new RegistryError('DEVICE_MISMATCH', 'the signed request names another device than the URL', {
        path: 'request.device',
        device: req.device,
      });
    }
    const signed = body as { from_sig: string; to_sig: string };
    const evidence = { request: req, from_sig: signed.from_sig, to_sig: signed.to_sig };
    const row = await this.devices.transfer(verified.value, evidence, (current) => transferRefusal(current, req));
    this.metrics.transfers.inc();
    this.log.info('device_transferred', { device: id, from_owner: req.from_owner, to_owner: req.to_owner });
    this.pruneNoncesNowAndThen();
    return toDeviceView(row);
  }

  async get(id: string): Promise<DeviceView> {
    const row = await this.devices.find(id);
    if (row === undefined) {
      throw new RegistryError('UNKNOWN_DEVICE', 'no device is registered with this id', { device: id });
    }
    return toDeviceView(row);
  }

  async history(id: string) {
    const [row, events] = await Promise.all([this.devices.find(id), this.devices.events(id)]);
    if (row === undefined) {
      throw new RegistryError('UNKNOWN_DEVICE', 'no device is registered with this id', { device: id });
    }
    return { device: id, events: events.map(toEventView) };
  }

  async listByOwner(owner: string, query: { limit: number; after?: string | undefined }) {
    const rows = await this.devices.listByOwner(owner, query.limit, query.after);
    const devices = rows.map(toDeviceView);
    const next = rows.length === query.limit ? (devices.at(-1)?.device ?? null) : null;
    return { owner, devices, next };
  }

  private pruneNoncesNowAndThen(): void {
    const now = this.clock.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) {
      return;
    }
    this.lastPrune = now;
    this.devices.pruneNonces(new Date(now - NONCE_GRACE_MS)).then(
      (count) => this.log.debug('registry_nonces_pruned', { count }),
      (error: unknown) => this.log.warn('registry_nonce_prune_failed', { error }),
    );
  }
}
