/** Whether this build of the package runs from its TypeScript sources (vitest) rather than from dist/. */
export const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * The URL of a worker module next to `base` (an `import.meta.url`): its `.ts` source under vitest, its `.js`
 * build otherwise. From the sources a worker needs a TypeScript loader in its `execArgv`.
 */
export function workerModuleUrl(name: string, base: string): URL {
  return new URL(`./${name}${base.endsWith('.ts') ? '.ts' : '.js'}`, base);
}

/** Worker threads to use by default: one per core from the build, none (this thread) from the sources. */
export function defaultWorkers(cores: number): number {
  return RUNNING_FROM_SOURCE ? 0 : Math.max(1, cores);
}
