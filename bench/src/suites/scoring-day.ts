import type pg from 'pg';

/** The scored day of the 10k-device benchmark; readings start 6 h before it (the checks' lookback). */
export const DAY_START = Date.UTC(2026, 5, 1);
const LOOKBACK_MIN = 360;
const MINUTES = LOOKBACK_MIN + 1440;
/** minutes generated per INSERT: each statement writes one block of time for every device (time order) */
const BLOCK_MIN = 60;

/**
 * Registers `devices` weather stations on a grid over ~4° × 4° around the Netherlands and fills
 * readings_weather with one reading a minute for the day and its lookback, in SQL (generate_series): a regional
 * diurnal cycle and slow pressure and wind changes shared by all, a per-station offset, per-reading noise, values
 * quantised like a gateway reports them, dew point from temperature and humidity (Magnus), no solar sensor.
 * Blocks of an hour are inserted in time order by two sessions at once, so the heap is ordered by time as the
 * ingest writes it. Plausible data: the checks flag little, as on a healthy network.
 */
export async function generateDay(pool: pg.Pool, devices: number): Promise<{ readings: number }> {
  const side = Math.ceil(Math.sqrt(devices));
  await pool.query(
    `INSERT INTO devices (device_id, kind, owner_wallet, model, declared_lat, declared_lon, declared_alt, interval_s, registered_at)
     SELECT 'bench' || lpad(k::text, 6, '0'), 'weather', 'bench-owner', 'bench',
            50.5 + 4.0 * (k / $2) / $2 + 0.01 * ((k * 7919) % 13), 3.5 + 4.0 * (k % $2) / $2 + 0.01 * ((k * 104729) % 11),
            ((k * 31) % 40)::float8, 60, timestamptz '2026-01-01'
       FROM generate_series(0, $1 - 1) k`,
    [devices, side],
  );
  const start = new Date(DAY_START - LOOKBACK_MIN * 60_000).toISOString();
  const blocks = Array.from({ length: MINUTES / BLOCK_MIN }, (_, b) => b);
  const insert = `
    WITH m AS (
      SELECT i, timestamptz '${start}' + i * interval '1 minute' AS ts,
             14 + 5 * cos(2 * pi() * ((i / 60.0 - 6 + 24) - 15) / 24) AS t0,
             101300 + 400 * sin(i / 700.0) AS p0,
             3.5 + 1.5 * sin(i / 300.0) AS w0,
             220 + 30 * sin(i / 500.0) AS dir0
        FROM generate_series($1::int, $2::int - 1) i),
    d AS (
      SELECT device_id, declared_alt AS alt,
             (hashtext(device_id) % 1000) / 1000.0 AS u,
             (hashtext(device_id || 'h') % 1000) / 1000.0 AS v
        FROM devices WHERE kind = 'weather'),
    r AS (
      SELECT d.device_id, m.i, m.ts,
             floor((m.t0 - 0.0065 * d.alt + 0.6 * d.u + (random() - 0.5) * 0.4) * 10 + 0.5) / 10 AS t,
             least(98, greatest(25, floor(72 - 3 * (m.t0 - 14) + 6 * d.v + (random() - 0.5) * 3 + 0.5))) AS rh,
             floor(m.p0 - 12 * d.alt + 20 * d.u + (random() - 0.5) * 30 + 0.5) AS p,
             floor(greatest(0, m.w0 + d.v + (random() - 0.5) * 1.2) * 10 + 0.5) / 10 AS w,
             floor(m.dir0 + random() * 20) AS dir
        FROM m CROSS JOIN d)
    INSERT INTO readings_weather (device_id, seq, ts, received_at, temperature, humidity, dew_point, pressure,
                                  wind_speed, wind_gust, wind_direction, rain_rate, body, sig)
    SELECT device_id, i + 1, ts, ts + interval '1.5 s', t, rh,
           floor(243.04 * (ln(rh / 100) + 17.625 * t / (243.04 + t)) / (17.625 - ln(rh / 100) - 17.625 * t / (243.04 + t)) * 10 + 0.5) / 10,
           p, w, floor((w * 1.35 + 0.4 + random() * 0.5) * 10 + 0.5) / 10, dir, 0, '', '\\x'
      FROM r ORDER BY i`;
  let next = 0;
  const worker = async () => {
    const client = await pool.connect();
    try {
      await client.query('SELECT setseed(0.42)');
      while (next < blocks.length) {
        const b = blocks[next++]!;
        await client.query(insert, [b * BLOCK_MIN, (b + 1) * BLOCK_MIN]);
      }
    } finally {
      client.release();
    }
  };
  await Promise.all([worker(), worker()]);
  await pool.query('ANALYZE readings_weather');
  return { readings: devices * MINUTES };
}
