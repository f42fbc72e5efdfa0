/**
 * `npm run dashboards` (= `node dashboards/dist/build.js [--out <dir>]`): writes the dashboards' JSON to
 * `<out>/build/` and the provisioning YAML to `<out>/provisioning/`; `<out>` defaults to the dashboards/ folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.js';

/** Writes every generated file under `outDir`; returns the paths written, sorted. */
export function writeGenerated(outDir: string): string[] {
  const written: string[] = [];
  for (const [relative, content] of generate().files) {
    const target = path.join(outDir, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
    written.push(target);
  }
  return written.sort();
}

function main(argv: readonly string[]): void {
  const flag = argv.indexOf('--out');
  const outDir =
    flag >= 0 && argv[flag + 1] ? path.resolve(argv[flag + 1]!) : fileURLToPath(new URL('..', import.meta.url));
  for (const file of writeGenerated(outDir)) {
    process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main(process.argv.slice(2));
}
