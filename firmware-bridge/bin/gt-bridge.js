#!/usr/bin/env -S node --max-semi-space-size=1 --optimize-for-size --single-threaded
// The gt-bridge command. Build first (`npm run build` at the repository root, or `npx tsc -b firmware-bridge`).
// Node flags for a small resident set on a Pi-class box (README "Memory"): a bridge handles a few readings a
// second, so a 1 MB young generation, size-first code and no background compiler/GC threads cost nothing
// measurable, and one device's bridge stays under 80 MB.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
