import { Injectable } from '@nestjs/common';
import { nextStatus, type StatusAction } from './device-rules.js';
import { toDeviceView } from './device-view.js';
import { DevicesRepository } from './devices.repository.js';
import type { OperatorToken } from '@groundtruth/service-kit';
import { RegistryLogger } from './registry.deps.js';
import { RegistryMetrics } from './registry.metrics.js';
import type { DeviceView } from './registry.schemas.js';

/** Operator actions on a device's status: suspend, revoke (final), reinstate. */
@Injectable()
export class DeviceStatusService {
  constructor(
    private readonly devices: DevicesRepository,
    private readonly metrics: RegistryMetrics,
    private readonly log: RegistryLogger,
  ) {}

  async apply(id: string, action: StatusAction, operator: OperatorToken, reason: string): Promise<DeviceView> {
    const row = await this.devices.changeStatus(id, {
      action,
      operator: operator.name,
      reason,
      decide: (current) => nextStatus(current, action),
    });
    this.metrics.statusChanges.inc({ action });
    this.log.info('device_status_changed', { device: id, action, status: row.status, operator: operator.name, reason });
    return toDeviceView(row);
  }
}
