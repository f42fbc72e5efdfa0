// A verify-export worker thread: checks blocks of rows with BlockChecker and hands back their leaf hashes
// (transferred, not copied) and bad rows. Started by VerifyPool.
import { parentPort, workerData } from 'node:worker_threads';
import { NodeCryptoVerifier } from '@groundtruth/protocol';
import { BlockChecker, type BlockCheckerInit, type RawRow } from './block-checker.js';

const checker = new BlockChecker(workerData as BlockCheckerInit, new NodeCryptoVerifier());

parentPort!.on('message', (message: { id: number; rows: RawRow[] } | { close: true }) => {
  if ('close' in message) {
    // nothing else is pending: closing the port lets the thread end on its own
    parentPort!.close();
    return;
  }
  try {
    const verdict = checker.check(message.rows);
    const transfer = verdict.hashes.buffer as ArrayBuffer;
    parentPort!.postMessage({ id: message.id, hashes: verdict.hashes, bad: verdict.bad }, [transfer]);
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
