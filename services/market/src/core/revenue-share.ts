/**
 * The devices' share of a sale, split pro rata to the rows each device contributed, in base units. Largest
 * remainder rounding makes the parts add up exactly to the share; ties go to the smaller device id, so the
 * split is deterministic.
 */
export interface DeviceRows {
  readonly device: string;
  readonly rows: number;
}

export interface DeviceShare {
  readonly device: string;
  readonly rows: number;
  readonly amount: bigint;
}

export function shareOfSale(amount: bigint, shareBps: number): bigint {
  if (!Number.isInteger(shareBps) || shareBps < 0 || shareBps > 10_000) {
    throw new RangeError(`share must be 0..10000 basis points, got ${shareBps}`);
  }
  return (amount * BigInt(shareBps)) / 10_000n;
}

export function splitProRata(total: bigint, contributions: readonly DeviceRows[]): DeviceShare[] {
  const rows = contributions.filter((c) => c.rows > 0);
  const totalRows = rows.reduce((sum, c) => sum + BigInt(c.rows), 0n);
  if (totalRows === 0n || total <= 0n) {
    return [];
  }
  const parts = rows.map((c) => {
    const exact = total * BigInt(c.rows);
    return { device: c.device, rows: c.rows, amount: exact / totalRows, remainder: exact % totalRows };
  });
  let left = total - parts.reduce((sum, p) => sum + p.amount, 0n);
  const order = [...parts].sort((a, b) =>
    a.remainder === b.remainder ? (a.device < b.device ? -1 : 1) : a.remainder > b.remainder ? -1 : 1,
  );
  for (const part of order) {
    if (left === 0n) {
      break;
    }
    part.amount += 1n;
    left -= 1n;
  }
  return parts
    .filter((p) => p.amount > 0n)
    .map(({ device, rows: r, amount }) => ({ device, rows: r, amount }))
    .sort((a, b) => (a.device < b.device ? -1 : 1));
}
