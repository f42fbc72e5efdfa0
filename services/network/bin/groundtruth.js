#!/usr/bin/env node
// The groundtruth command. Build first (`npm run build` at the repository root).
import '../dist/main.js';
