/**
 * Fault types the simulator can inject, per device, reproducibly from a seed. Signal faults change what the
 * simulated hardware measures (the adapter reads them through the real protocol); bridge faults change what
 * the bridge sends. Quality scoring is measured on how well it finds each of them.
 */
export const SIGNAL_FAULTS = ['stuck', 'spike', 'drift', 'dropout', 'indoor', 'gps_teleport', 'gps_spoof'] as const;
export const BRIDGE_FAULTS = ['clock_skew', 'replay', 'bad_signature', 'cloned_key'] as const;
export const FAULT_TYPES = [...SIGNAL_FAULTS, ...BRIDGE_FAULTS] as const;

export type SignalFault = (typeof SIGNAL_FAULTS)[number];
export type BridgeFault = (typeof BRIDGE_FAULTS)[number];
export type FaultType = (typeof FAULT_TYPES)[number];

export function isFaultType(value: string): value is FaultType {
  return (FAULT_TYPES as readonly string[]).includes(value);
}
