import { formatReport, verifyExport } from '@groundtruth/market';
import type { Command } from 'commander';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { startProgress } from './progress.js';

interface VerifyOptions {
  manifest?: string;
  networkKey?: string;
  maxBad: string;
  json?: boolean;
}

export function verifyExportCommand(program: Command, io: CliIo): void {
  program
    .command('verify-export')
    .description(
      "check a dataset export offline: every row against its device's signature (or its batch's Merkle proof), the " +
        "manifest's row count, Merkle root and file digest, and the network's signature on the manifest",
    )
    .argument('<path>', 'the export directory (data file + manifest.json) or the data file')
    .option('--manifest <file>', 'the manifest, when it is not beside the data')
    .option(
      '--network-key <base58>',
      'the network key you trust (GET <market>/network-key); default: the manifest’s own',
    )
    .option('--max-bad <n>', 'how many bad rows to name', '10')
    .option('--json', 'print the report as JSON')
    .action(async (path: string, options: VerifyOptions) => {
      const maxBad = Number(options.maxBad);
      if (!Number.isInteger(maxBad) || maxBad < 0) {
        throw new CliError('--max-bad must be a non-negative integer', undefined, 2);
      }
      const progress = options.json ? undefined : startProgress(io, 'verifying');
      let report;
      try {
        report = await verifyExport(path, {
          ...(options.manifest === undefined ? {} : { manifestPath: options.manifest }),
          ...(options.networkKey === undefined ? {} : { networkKey: options.networkKey }),
          maxReported: maxBad,
          ...(progress === undefined ? {} : { onProgress: (rows: number) => progress.update(rows) }),
        });
      } catch (error) {
        throw new CliError(
          `cannot verify ${path}: ${(error as Error).message}`,
          'is it an export directory or data file?',
        );
      } finally {
        progress?.stop();
      }
      if (options.json) {
        io.out(JSON.stringify(report, null, 2));
      } else {
        formatReport(report).forEach((line) => io.out(line));
      }
      if (!report.ok) {
        throw new CliError(
          `the export does not verify (${report.failures.length} failures, ${report.badRowCount} bad rows)`,
        );
      }
    });
}
