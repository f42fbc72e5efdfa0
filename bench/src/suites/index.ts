import type { BenchSuite } from '../suite.js';
import { bridgeSuite } from './bridge.js';
import { ingestSuite } from './ingest.js';
import { marketSuite } from './market.js';
import { rewardsSuite } from './rewards.js';
import { scoringSuite } from './scoring.js';
import { verifySuite } from './verify.js';

/** Every suite `npm run bench` knows, in the order a full run measures them. */
export const suites: readonly BenchSuite[] = [
  verifySuite,
  bridgeSuite,
  ingestSuite,
  marketSuite,
  rewardsSuite,
  scoringSuite,
];
