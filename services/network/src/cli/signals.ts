/**
 * Resolves with the first SIGINT or SIGTERM; a second one calls `onSecond` (a forced exit). Long-running commands
 * await it, then stop cleanly.
 */
export function waitForShutdownSignal(onSecond: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const handler = (signal: NodeJS.Signals) => {
      if (received) {
        onSecond();
        return;
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
