/** DSMR 5.0.2 P1 telegrams from energy-catalogue values, with a correct CRC16. Pure. */
import { dsmrCrcText } from '../adapters/dsmr.parser.js';

export interface TelegramIdentity {
  /** identification after `/`, e.g. `ISK5\2M550T-1012` */
  readonly header?: string;
  /** 0-0:96.1.1, hex of the ASCII equipment number */
  readonly equipmentId?: string;
  readonly phases?: 1 | 3;
  readonly tariff?: 1 | 2;
}

/** `YYMMDDhhmmssX` in Dutch local time (CET/CEST by the EU rule: last Sunday of March/October, 01:00 UTC). */
export function dsmrTimestamp(ts: number): string {
  const summer = isEuSummerTime(ts);
  const d = new Date(ts + (summer ? 2 : 1) * 3_600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(
    d.getUTCMinutes(),
  )}${two(d.getUTCSeconds())}${summer ? 'S' : 'W'}`;
}

export function isEuSummerTime(ts: number): boolean {
  const year = new Date(ts).getUTCFullYear();
  const lastSunday = (month: number) => {
    const last = new Date(Date.UTC(year, month + 1, 0));
    return Date.UTC(year, month, last.getUTCDate() - last.getUTCDay(), 1);
  };
  return ts >= lastSunday(2) && ts < lastSunday(9);
}

const kwh = (wh: number | undefined) => ((wh ?? 0) / 1000).toFixed(3).padStart(10, '0');
const kw = (w: number | undefined) => ((w ?? 0) / 1000).toFixed(3).padStart(6, '0');
const volts = (v: number | undefined) => (v ?? 0).toFixed(1).padStart(5, '0');
const amps = (a: number | undefined) =>
  Math.round(a ?? 0)
    .toString()
    .padStart(3, '0');

/** A complete DSMR 5 telegram (`/` .. `!CRC\r\n`). Energy registers are floored to whole Wh (meters never round up). */
export function dsmr5Telegram(m: Readonly<Record<string, number>>, ts: number, id: TelegramIdentity = {}): string {
  const register = (wh: number | undefined) => kwh(Math.floor(wh ?? 0));
  const lines = [
    `/${id.header ?? 'ISK5\\2M550T-1012'}`,
    '',
    '1-3:0.2.8(50)',
    `0-0:1.0.0(${dsmrTimestamp(ts)})`,
    `0-0:96.1.1(${id.equipmentId ?? '4530303434303037313331363530363138'})`,
    `1-0:1.8.1(${register(m.energy_import_t1)}*kWh)`,
    `1-0:1.8.2(${register(m.energy_import_t2)}*kWh)`,
    `1-0:2.8.1(${register(m.energy_export_t1)}*kWh)`,
    `1-0:2.8.2(${register(m.energy_export_t2)}*kWh)`,
    `0-0:96.14.0(000${id.tariff ?? 2})`,
    `1-0:1.7.0(${kw(m.power_import)}*kW)`,
    `1-0:2.7.0(${kw(m.power_export)}*kW)`,
    '0-0:96.7.21(00005)',
    '0-0:96.7.9(00003)',
    '1-0:99.97.0(0)(0-0:96.7.19)',
    '1-0:32.32.0(00001)',
    '1-0:32.36.0(00000)',
    '0-0:96.13.0()',
  ];
  const phases = id.phases === 1 ? [1] : [1, 2, 3];
  const obis = { 1: ['32', '31'], 2: ['52', '51'], 3: ['72', '71'] } as const;
  for (const p of phases as (1 | 2 | 3)[]) {
    lines.push(`1-0:${obis[p][0]}.7.0(${volts(m[`voltage_l${p}`])}*V)`);
  }
  for (const p of phases as (1 | 2 | 3)[]) {
    lines.push(`1-0:${obis[p][1]}.7.0(${amps(m[`current_l${p}`])}*A)`);
  }
  const body = `${lines.join('\r\n')}\r\n!`;
  return `${body}${dsmrCrcText(body)}\r\n`;
}
