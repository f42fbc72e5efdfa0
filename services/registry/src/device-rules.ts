import type { TransferRequest } from '@groundtruth/protocol';
import { RegistryError } from './registry.error.js';

/** Pure decisions about a device's lifecycle; the repository applies them under a row lock. */
export const DEVICE_STATUSES = ['active', 'suspended', 'revoked'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

export const STATUS_ACTIONS = ['suspend', 'revoke', 'reinstate'] as const;
export type StatusAction = (typeof STATUS_ACTIONS)[number];

/** What the device_events table calls each action. */
export const EVENT_OF_ACTION = { suspend: 'suspended', revoke: 'revoked', reinstate: 'reinstated' } as const;

const TARGET: Record<StatusAction, DeviceStatus> = { suspend: 'suspended', revoke: 'revoked', reinstate: 'active' };

/**
 * The status after an operator action, or why the action does not apply. Revocation is final (the device key
 * is treated as compromised); suspension is reversible with `reinstate`.
 */
export function nextStatus(current: DeviceStatus, action: StatusAction): DeviceStatus | RegistryError {
  if (current === 'revoked') {
    return new RegistryError('DEVICE_REVOKED', 'the device is revoked; revocation is final', {
      status: current,
      action,
    });
  }
  const allowed = action === 'revoke' || (action === 'suspend' ? current === 'active' : current === 'suspended');
  if (!allowed) {
    return new RegistryError('INVALID_STATUS_TRANSITION', `cannot ${action} a device that is ${current}`, {
      status: current,
      action,
    });
  }
  return TARGET[action];
}

/** Whether a verified transfer may apply to the device as it is now. */
export function transferRefusal(
  current: { readonly owner: string | null; readonly status: DeviceStatus },
  request: TransferRequest,
): RegistryError | undefined {
  if (current.status === 'revoked') {
    return new RegistryError('DEVICE_REVOKED', 'a revoked device cannot change owner', { status: current.status });
  }
  if (current.owner !== request.from_owner) {
    return new RegistryError('NOT_CURRENT_OWNER', "from_owner is not the device's current owner", {
      from_owner: request.from_owner,
    });
  }
  return undefined;
}
