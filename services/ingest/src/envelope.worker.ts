import { NodeCryptoVerifier } from '@groundtruth/protocol';
import { parentPort, workerData } from 'node:worker_threads';
import { openMessagesSync, type OpenRules } from './envelope.opener.js';
import type { OpenRequest, OpenResponse } from './envelope.pool.js';
import { warmUpOpener } from './envelope.warmup.js';

/**
 * A worker thread of the envelope pool: opens the messages it is sent (decode, verify, check, encode rows)
 * and sends the result back, its byte buffer transferred rather than copied.
 */
const rules = (workerData as { rules: OpenRules }).rules;
const verifier = new NodeCryptoVerifier();
const port = parentPort!;

port.on('message', (request: OpenRequest | { close: true }) => {
  if ('close' in request) {
    // Ends by running out of work rather than by terminate(), which can take a loader thread down with it.
    port.close();
    return;
  }
  let response: OpenResponse;
  try {
    const payloads = Buffer.from(request.payloads);
    const messages = request.messages.map((m) => ({
      topic: m.topic,
      payload: payloads.subarray(m.at, m.at + m.length),
      receivedAt: m.receivedAt,
    }));
    const wire = openMessagesSync(messages, request.verify, rules, verifier);
    response = { id: request.id, wire };
    port.postMessage(response, [wire.bytes.buffer as ArrayBuffer, wire.table.buffer as ArrayBuffer]);
  } catch (error) {
    response = { id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    port.postMessage(response);
  }
});

// Ready only once the path opens what it is meant to (a failure fails the start).
warmUpOpener(rules, verifier);
port.postMessage({ ready: true });
