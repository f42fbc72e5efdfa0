import type { BenchSuite } from '../suite.js';
import { verifySuite } from './verify.js';

/** Every suite `npm run bench` knows, in the order a full run measures them. */
export const suites: readonly BenchSuite[] = [verifySuite];
