import { isDeviceId, type DeviceId } from './device-id.js';

/** Topic a device publishes its envelopes on. A device may publish only on its own topic. */
export function readingsTopic(device: DeviceId): string {
  return `gt/v1/${device}/readings`;
}

/** Retained online/offline status (the bridge's Last Will). */
export function statusTopic(device: DeviceId): string {
  return `gt/v1/${device}/status`;
}

/** Filter the network subscribes to; `$share/<group>/` in front spreads it over ingest instances. */
export const READINGS_TOPIC_FILTER = 'gt/v1/+/readings';

export function sharedReadingsSubscription(group: string): string {
  return `$share/${group}/${READINGS_TOPIC_FILTER}`;
}

/** The device id a readings topic names, or undefined when the topic is not a readings topic. */
export function deviceOfReadingsTopic(topic: string): DeviceId | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== 'gt' || parts[1] !== 'v1' || parts[3] !== 'readings') {
    return undefined;
  }
  return isDeviceId(parts[2]) ? parts[2] : undefined;
}
