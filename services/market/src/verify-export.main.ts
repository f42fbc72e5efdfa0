#!/usr/bin/env node
// Small CLI entry: `node services/market/dist/verify-export.main.js <export>` (the `groundtruth` CLI wraps it).
import { runVerifyExportCli } from './verify/verify-export.cli.js';

process.exitCode = await runVerifyExportCli(process.argv.slice(2));
