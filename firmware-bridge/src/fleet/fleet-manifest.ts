import type { DeviceId, HardwareKind } from '@groundtruth/protocol';
import type { BridgeStatus } from '../core/bridge-counters.js';
import type { DeviceBridge } from '../core/device-bridge.js';
import type { FaultPlan } from '../simulation/signal-faults.js';
import type { SimulatedDevice } from '../simulation/simulated-device.js';
import type { GeoPoint } from '../simulation/weather.model.js';
import type { BridgeFaultInjector, BridgeFaultPlan } from './bridge-faults.js';
import type { DeviceFaults } from './fault-plan.js';

/** One running device of a simulated fleet. */
export interface FleetDevice {
  readonly index: number;
  readonly device: DeviceId;
  readonly location: GeoPoint;
  readonly faults: DeviceFaults;
  /** signal faults with their seeded choices (from the emulator) */
  readonly signalPlans: readonly FaultPlan[];
  readonly bridgePlan: BridgeFaultPlan;
  readonly bridge: DeviceBridge;
  readonly simulated: SimulatedDevice;
  readonly injector: BridgeFaultInjector;
  readonly clone?: { readonly bridge: DeviceBridge; readonly simulated: SimulatedDevice; readonly location: GeoPoint };
}

const EARTH_RADIUS_KM = 6371.0088;

/** The point `distanceKm` from `from` at `bearingDeg` (great circle). */
export function offsetPoint(from: GeoPoint, distanceKm: number, bearingDeg: number): GeoPoint {
  const rad = Math.PI / 180;
  const d = distanceKm / EARTH_RADIUS_KM;
  const b = bearingDeg * rad;
  const lat1 = from.lat * rad;
  const lon1 = from.lon * rad;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lon2 =
    lon1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const lon = ((((lon2 / rad + 540) % 360) + 360) % 360) - 180;
  return { lat: round(lat2 / rad), lon: round(lon), ...(from.alt === undefined ? {} : { alt: from.alt }) };
}

/**
 * What the fleet is, for whoever scores it: every device with its place and its faults (ground truth). No key
 * material (the keys follow from the seed, see `simulatedDeviceKey`).
 */
export function fleetManifest(
  options: { kind: HardwareKind; count: number; seed: number | string; intervalMs?: number },
  devices: readonly FleetDevice[],
) {
  return {
    v: 1,
    kind: options.kind,
    count: options.count,
    seed: options.seed,
    intervalMs: options.intervalMs ?? 60_000,
    devices: devices.map((d) => ({
      index: d.index,
      device: d.device,
      location: d.location,
      faults: [...d.faults.signal, ...d.faults.bridge],
      signalFaults: d.signalPlans,
      bridgeFaults: d.bridgePlan,
      ...(d.clone === undefined ? {} : { clone: { location: d.clone.location } }),
    })),
  };
}

/**
 * Each device's bridge status, for `/metrics`. A cloned key's second bridge is left out: it is the attacker's,
 * and it shares the device id, which would give a scrape two series with the same labels.
 */
export function fleetStatuses(devices: readonly FleetDevice[]): BridgeStatus[] {
  return devices.map((d) => d.bridge.status());
}

/** Sum of the fleet's counters (clones included). */
export function fleetTotals(devices: readonly FleetDevice[]) {
  const totals = {
    devices: devices.length,
    connected: 0,
    read: 0,
    queued: 0,
    published: 0,
    acked: 0,
    evicted: 0,
    backlog: 0,
    replayed: 0,
    corrupted: 0,
  };
  for (const d of devices) {
    for (const bridge of [d.bridge, d.clone?.bridge]) {
      if (bridge === undefined) {
        continue;
      }
      const c = bridge.counters.counts;
      totals.connected += bridge.link?.connected ? 1 : 0;
      totals.read += c.read;
      totals.queued += c.queued;
      totals.published += c.published;
      totals.acked += c.acked;
      totals.evicted += c.evicted;
      totals.backlog += bridge.queue.stats().queuedReadings;
    }
    totals.replayed += d.injector.stats.replayed;
    totals.corrupted += d.injector.stats.corrupted;
  }
  return totals;
}
