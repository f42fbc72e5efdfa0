#!/usr/bin/env node
// The gt-bridge command. Build first (`npm run build` at the repository root, or `npx tsc -b firmware-bridge`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
