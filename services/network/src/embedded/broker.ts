import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';

/** An in-process MQTT broker (Aedes) for the embedded mode. It speaks MQTT 3.1.1: Aedes has no MQTT 5 yet. */
export interface EmbeddedBroker {
  readonly url: string;
  /** MQTT protocol version clients must use with this broker. */
  readonly protocolVersion: 4;
  connectedClients(): number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(options: { host?: string; port?: number } = {}): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker({ concurrency: 1000 });
  const server: Server = createServer(broker.handle);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://${host}:${port}`,
    protocolVersion: 4,
    connectedClients: () => broker.connectedClients,
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
