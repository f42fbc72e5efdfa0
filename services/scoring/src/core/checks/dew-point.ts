import { C } from '../checks.js';
import type { CheckContext } from '../context.js';
import { variableIndex } from '../variables.js';

/** Magnus dew point (Alduchov & Eskridge coefficients), °C, from temperature °C and relative humidity %. */
export function magnusDewPoint(temperatureC: number, humidityPct: number): number {
  const b = 17.625;
  const c = 243.04;
  const gamma = Math.log(humidityPct / 100) + (b * temperatureC) / (c + temperatureC);
  return (c * gamma) / (b - gamma);
}

/**
 * Dew point cannot exceed air temperature (both flagged, since either may be wrong), and a reported dew point
 * must agree with the one temperature and humidity imply (dew point flagged: stations derive it).
 */
export function checkDewPoint(ctx: CheckContext): void {
  const t = variableIndex('weather', 'temperature');
  const td = variableIndex('weather', 'dew_point');
  const rh = variableIndex('weather', 'humidity');
  const T = ctx.series.values[t]!;
  const Td = ctx.series.values[td]!;
  const RH = ctx.series.values[rh]!;
  const { dewPointToleranceC, dewPointMagnusToleranceC } = ctx.params.weather;
  for (let i = 0; i < ctx.n; i++) {
    const temperature = T[i]!;
    const dew = Td[i]!;
    if (Number.isNaN(temperature) || Number.isNaN(dew)) {
      continue;
    }
    if (dew > temperature + dewPointToleranceC) {
      ctx.flagVar(i, t, C.dew_point);
      ctx.flagVar(i, td, C.dew_point);
      continue;
    }
    const humidity = RH[i]!;
    if (
      humidity > 0 &&
      humidity <= 100 &&
      Math.abs(dew - magnusDewPoint(temperature, humidity)) > dewPointMagnusToleranceC
    ) {
      ctx.flagVar(i, td, C.dew_point);
    }
  }
}
