/** Algorithm versions look like `qod-<major>.<minor>.<patch>`; a newer version has a larger semver triple. */
const VERSION_PATTERN = /^qod-(\d+)\.(\d+)\.(\d+)$/;

export function isAlgorithmVersion(value: unknown): value is string {
  return typeof value === 'string' && VERSION_PATTERN.test(value);
}

/** Negative when a is older than b, 0 when equal, positive when newer. */
export function compareVersions(a: string, b: string): number {
  const pa = VERSION_PATTERN.exec(a);
  const pb = VERSION_PATTERN.exec(b);
  if (!pa || !pb) {
    throw new RangeError(`not an algorithm version: ${pa ? b : a}`);
  }
  for (let i = 1; i <= 3; i++) {
    const diff = Number(pa[i]) - Number(pb[i]);
    if (diff !== 0) {
      return diff;
    }
  }
  return 0;
}
