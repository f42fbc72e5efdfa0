// The `groundtruth` command (services/network/bin/groundtruth.js runs the built copy; `npm start` runs `start`).
import { processIo } from './cli/cli-io.js';
import { main } from './cli/program.js';

process.exitCode = await main(process.argv, processIo(process.env));
