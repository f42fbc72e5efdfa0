import { keyPairFromSeed, type TransferRequest, type WalletAddress } from '@groundtruth/protocol';
import { describe, expect, it } from 'vitest';
import {
  DEVICE_STATUSES,
  nextStatus,
  STATUS_ACTIONS,
  transferRefusal,
  type DeviceStatus,
  type StatusAction,
} from './device-rules.js';
import { RegistryError } from './registry.error.js';

const outcome = (current: DeviceStatus, action: StatusAction) => {
  const next = nextStatus(current, action);
  return next instanceof RegistryError ? next.code : next;
};

describe('device status transitions', () => {
  it('follow the lifecycle table for every status and action', () => {
    const table = Object.fromEntries(
      DEVICE_STATUSES.map((status) => [status, Object.fromEntries(STATUS_ACTIONS.map((a) => [a, outcome(status, a)]))]),
    );
    expect(table).toEqual({
      active: { suspend: 'suspended', revoke: 'revoked', reinstate: 'INVALID_STATUS_TRANSITION' },
      suspended: { suspend: 'INVALID_STATUS_TRANSITION', revoke: 'revoked', reinstate: 'active' },
      revoked: { suspend: 'DEVICE_REVOKED', revoke: 'DEVICE_REVOKED', reinstate: 'DEVICE_REVOKED' },
    });
  });
});

describe('transfer checks', () => {
  const [a, b, c] = [1, 2, 3].map(
    (n) => keyPairFromSeed(new Uint8Array(32).fill(n)).deviceId as string as WalletAddress,
  );
  const request = { from_owner: a, to_owner: b } as TransferRequest;
  it('let the current owner transfer an active or suspended device', () => {
    expect(transferRefusal({ owner: a!, status: 'active' }, request)).toBeUndefined();
    expect(transferRefusal({ owner: a!, status: 'suspended' }, request)).toBeUndefined();
  });
  it('refuse a transfer from someone who is not the owner, or of a revoked device', () => {
    expect(transferRefusal({ owner: c!, status: 'active' }, request)?.code).toBe('NOT_CURRENT_OWNER');
    expect(transferRefusal({ owner: null, status: 'active' }, request)?.code).toBe('NOT_CURRENT_OWNER');
    expect(transferRefusal({ owner: a!, status: 'revoked' }, request)?.code).toBe('DEVICE_REVOKED');
  });
});
