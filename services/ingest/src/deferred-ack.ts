import type { IPublishPacket, MqttClient } from 'mqtt';

/**
 * The one place that relies on mqtt.js internals. mqtt.js is pinned at 5.16.0 (services/ingest/package.json);
 * test/deferred-ack.int.spec.ts holds each point below against a real Mosquitto, so an upgrade that changes
 * them fails there first.
 *
 * 1. mqtt.js hands every received PUBLISH to `client.handleMessage(packet, callback)` and processes packets
 *    one at a time: the next packet is parsed only after `callback` ran. For QoS 1 it sends the PUBACK when
 *    `callback()` is called without an error, so a plain override could only acknowledge a batch after its
 *    commit by holding the callback of every message of the batch, which stops delivery after the first.
 * 2. `callback(error)` skips the PUBACK (lib/handlers/publish.js: `if (err) return done(err)`) and still
 *    releases the packet pump, whose `done` ignores its argument. So {@link DEFER_PUBACK} lets the client read
 *    on while the PUBACK waits for the commit.
 * 3. Not calling `callback` at all stalls the pump: mqtt.js's Writable keeps its `_write` callback, the
 *    socket stream stops being read and TCP pushes back on the broker. That is the backpressure.
 * 4. `client._sendPacket({ cmd: 'puback', messageId, reasonCode })` (private) writes a PUBACK straight to the
 *    socket while connected. While disconnected it would store the packet and send it after reconnecting,
 *    when the id may name another message, so {@link sendPuback} refuses then.
 */
export const DEFER_PUBACK: Error = Object.freeze(new Error('PUBACK deferred until the batch commits')) as Error;

export interface ReceivedPublish {
  readonly packet: IPublishPacket;
  /** set for QoS 1: the id to acknowledge with {@link sendPuback} */
  readonly messageId: number | undefined;
  /** lets mqtt.js go on to the next packet; until it is called nothing more is read */
  readonly resume: () => void;
}

/** Routes every received PUBLISH to `onPublish`; QoS 1 PUBACKs are left to {@link sendPuback}. */
export function installDeferredAcks(client: MqttClient, onPublish: (publish: ReceivedPublish) => void): void {
  client.handleMessage = (packet, callback) => {
    // QoS 2 never reaches us (we subscribe at QoS 1); its PUBCOMP would not wait for the commit.
    const deferred = packet.qos === 1;
    let resumed = false;
    onPublish({
      packet,
      messageId: deferred ? packet.messageId : undefined,
      resume: () => {
        if (!resumed) {
          resumed = true;
          if (deferred) {
            callback(DEFER_PUBACK);
          } else {
            callback();
          }
        }
      },
    });
  };
}

interface PacketSender {
  _sendPacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }, cb?: () => void): void;
}

/** Sends the PUBACK of a QoS 1 message; false (nothing sent) while disconnected. */
export function sendPuback(client: MqttClient, messageId: number): boolean {
  if (!client.connected) {
    return false;
  }
  (client as unknown as PacketSender)._sendPacket({ cmd: 'puback', messageId, reasonCode: 0 });
  return true;
}

/**
 * Sends the PUBACKs of a committed batch in one socket write (the socket is corked while they are queued);
 * returns how many were sent: none while disconnected.
 */
export function sendPubacks(client: MqttClient, messageIds: readonly number[]): number {
  if (!client.connected || messageIds.length === 0) {
    return 0;
  }
  const stream = client.stream as { cork?: () => void; uncork?: () => void };
  stream.cork?.();
  try {
    for (const messageId of messageIds) {
      (client as unknown as PacketSender)._sendPacket({ cmd: 'puback', messageId, reasonCode: 0 });
    }
  } finally {
    process.nextTick(() => stream.uncork?.());
  }
  return messageIds.length;
}
