import { parseArgs } from 'node:util';
import { verifyExport, type VerifyExportReport } from './verify-export.js';

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE = `usage: verify-export <export dir | data file> [--manifest <manifest.json>] [--network-key <base58>] [--max-bad <n>] [--workers <n>] [--json]

Verifies every row of a GroundTruth dataset export against its device key (or batch proof), the manifest's
Merkle root, row count and file digest, and the network's signature on the manifest, with --workers threads
(default: one per core). Exit code 0 when all holds, 1 when anything fails, 2 on bad usage.`;

export function formatReport(report: VerifyExportReport): string[] {
  const lines = [
    `${report.ok ? 'OK' : 'FAILED'}: ${report.dataPath} (${report.format ?? 'unknown format'})`,
    `  manifest ${report.manifestPath}, network key ${report.network ?? '-'}`,
    `  ${report.rows} rows read, ${report.expectedRows ?? '?'} in the manifest, ${report.badRowCount} bad, ` +
      `${Math.round(report.rowsPerSecond)} rows/s`,
  ];
  for (const problem of report.problems) {
    lines.push(`  ${problem.message}`);
  }
  return lines;
}

/**
 * `groundtruth verify-export` as a function of its arguments: prints the report and returns the exit code.
 *
 * @example
 * process.exitCode = await runVerifyExportCli(process.argv.slice(2));
 */
export async function runVerifyExportCli(
  argv: readonly string[],
  io: CliIo = { out: (line) => console.log(line), err: (line) => console.error(line) },
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        manifest: { type: 'string' },
        'network-key': { type: 'string' },
        'max-bad': { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const maxBad = values['max-bad'] === undefined ? 10 : Number(values['max-bad']);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (
    positionals.length !== 1 ||
    !Number.isInteger(maxBad) ||
    maxBad < 0 ||
    (workers !== undefined && !(Number.isInteger(workers) && workers >= 0))
  ) {
    io.err(USAGE);
    return 2;
  }
  let report: VerifyExportReport;
  try {
    report = await verifyExport(positionals[0]!, {
      ...(values.manifest === undefined ? {} : { manifestPath: values.manifest }),
      ...(values['network-key'] === undefined ? {} : { networkKey: values['network-key'] }),
      maxReported: maxBad,
      ...(workers === undefined ? {} : { workers }),
    });
  } catch (error) {
    io.err(`verify-export: ${(error as Error).message}`);
    return 1;
  }
  if (values.json) {
    io.out(JSON.stringify(report, null, 2));
  } else {
    formatReport(report).forEach((line) => (report.ok ? io.out(line) : io.err(line)));
  }
  return report.ok ? 0 : 1;
}
