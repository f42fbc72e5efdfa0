import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchSuite, Figure } from './suite.js';
import { suites } from './suites/index.js';

interface StoredFigure extends Figure {
  readonly date: string;
  readonly command: string;
  /** the machine the figure was measured on (figures from earlier runs may come from another) */
  readonly machine?: string;
}

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsJson = join(benchDir, 'results.json');
const resultsMd = join(benchDir, 'RESULTS.md');
const notesJson = join(benchDir, 'notes.json');

function readJson<T>(path: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

function renderMarkdown(results: Record<string, StoredFigure>, notes: Record<string, string>): string {
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (see ../shared/BENCHMARKS.md for each figure and its goal). Every figure is a median',
    'of several runs on the machine its row names; ratios are measured within one run.',
    '',
    '| figure | value | unit | machine | date | command |',
    '|---|---:|---|---|---|---|',
  ];
  for (const name of Object.keys(results).sort()) {
    const figure = results[name]!;
    const value = Number.isInteger(figure.value) ? String(figure.value) : figure.value.toPrecision(4);
    lines.push(
      `| \`${name}\` | ${value} | ${figure.unit} | ${figure.machine ?? 'not recorded'} | ${figure.date} | \`${figure.command}\` |`,
    );
  }
  for (const suite of Object.keys(notes).sort()) {
    lines.push('', `## ${suite}`, '', notes[suite]!.trim());
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const selected: readonly BenchSuite[] =
    wanted.length === 0 ? suites : suites.filter((suite) => wanted.includes(suite.name));
  if (selected.length === 0) {
    console.error(`unknown suite(s) ${wanted.join(', ')}; known: ${suites.map((suite) => suite.name).join(', ')}`);
    process.exit(2);
  }
  const results = readJson<Record<string, StoredFigure>>(resultsJson, {});
  const notes = readJson<Record<string, string>>(notesJson, {});
  for (const suite of selected) {
    console.log(`bench ${suite.name}: ${suite.description}`);
    const outcome = await suite.run();
    const date = new Date().toISOString();
    for (const [name, figure] of Object.entries(outcome.figures)) {
      results[name] = {
        value: figure.value,
        unit: figure.unit,
        date,
        command: `npm run bench -- ${suite.name}`,
        machine: machine(),
      };
      console.log(`  ${name} = ${figure.value} ${figure.unit}`);
    }
    if (outcome.notes) {
      notes[suite.name] = outcome.notes;
    }
    writeFileSync(resultsJson, JSON.stringify(results, null, 2) + '\n');
    writeFileSync(notesJson, JSON.stringify(notes, null, 2) + '\n');
    writeFileSync(resultsMd, renderMarkdown(results, notes));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
