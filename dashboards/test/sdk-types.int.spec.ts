/**
 * The generated dashboards and alert rules are what the foundation SDK's types describe: the TypeScript compiler
 * checks the files as written (see sdk-types.ts), and rejects a file with a key or a value the types do not allow.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/generate.js';
import { typeCheck, typeCheckModule, unknownPanelTypes } from './sdk-types.js';

const generated = generate();
const MODULE = fileURLToPath(new URL('./generated-files.check.ts', import.meta.url));
const dashboards = [...generated.files].filter(([name]) => name.startsWith('build/'));

describe('generated files against the SDK types', () => {
  it('has plugin types for every panel type it uses', () => {
    expect(
      unknownPanelTypes(dashboards.map(([, json]) => JSON.parse(json) as { panels?: { type: string }[] })),
    ).toEqual([]);
  });

  it('type-checks every dashboard and the alert rules file', () => {
    const source = typeCheckModule({
      dashboards: dashboards.map(([name, json]) => ({ name, json })),
      alerts: JSON.stringify(generated.alerts, null, 2),
    });
    expect(typeCheck(MODULE, source)).toEqual([]);
  });

  it('rejects a key the SDK does not know, a value of the wrong type and an unknown enum value', () => {
    type Stat = { type: string; options: Record<string, unknown>; gridPos: Record<string, unknown> };
    const mutants: ((panel: Stat) => void)[] = [
      (panel) => void (panel.options.sparkline = true),
      (panel) => void (panel.gridPos.w = 'wide'),
      (panel) => void (panel.options.graphMode = 'sparkline'),
    ];
    const json = mutants.map((mutate, i) => {
      const dashboard = JSON.parse(generated.files.get('build/gt-network-health.json')!) as { panels: Stat[] };
      mutate(dashboard.panels.find((p) => p.type === 'stat')!);
      return { name: `mutant ${i}`, json: JSON.stringify(dashboard) };
    });
    const source = typeCheckModule({ dashboards: json });
    const lines = source.split('\n');
    const failing = new Set(typeCheck(MODULE, source).map((error) => Number(/:(\d+) /.exec(error)?.[1])));
    // one object literal per line: each mutant's declaration has an error
    expect(
      json.map((_, i) => failing.has(lines.findIndex((l) => l.startsWith(`export const dashboard${i}:`)) + 1)),
    ).toEqual(json.map(() => true));
  });
});
