import { METRIC_CATALOGUE, type HardwareKind, type MetricSpec } from '@groundtruth/protocol';

/**
 * The variables a kind is scored on: its catalogue metrics, in catalogue order, plus `position` for vehicles
 * (a vehicle's track is part of its data). Stationary devices' positions only feed the location score.
 * Indexes into these lists are the positions in `device_hour.var_*` arrays; the catalogue only appends.
 */
export const POSITION = 'position';

const VARIABLES: Readonly<Record<HardwareKind, readonly string[]>> = {
  weather: METRIC_CATALOGUE.weather.map((spec) => spec.name),
  vehicle: [...METRIC_CATALOGUE.vehicle.map((spec) => spec.name), POSITION],
  energy: METRIC_CATALOGUE.energy.map((spec) => spec.name),
};

const SPECS: Readonly<Record<HardwareKind, readonly MetricSpec[]>> = {
  weather: METRIC_CATALOGUE.weather,
  vehicle: METRIC_CATALOGUE.vehicle,
  energy: METRIC_CATALOGUE.energy,
};

export function variablesOf(kind: HardwareKind): readonly string[] {
  return VARIABLES[kind];
}

/** Catalogue metrics of a kind (the value columns of a series), in catalogue order. */
export function metricsOf(kind: HardwareKind): readonly MetricSpec[] {
  return SPECS[kind];
}

/** Index of a variable of a kind, or -1. */
export function variableIndex(kind: HardwareKind, name: string): number {
  return VARIABLES[kind].indexOf(name);
}
