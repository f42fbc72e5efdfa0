import { describe, expect, it } from 'vitest';
import { toYaml, YamlError } from './yaml.js';

describe('YAML writer', () => {
  it('writes nested mappings and sequences in block style, in insertion order', () => {
    const text = toYaml(
      {
        apiVersion: 1,
        groups: [
          {
            name: 'g',
            rules: [{ uid: 'r-1', for: '5m', data: [{ refId: 'A', relativeTimeRange: { from: 600, to: 0 } }] }],
          },
        ],
        empty: [],
        none: {},
        flag: false,
      },
      ['generated'],
    );
    expect(text).toBe(
      [
        '# generated',
        'apiVersion: 1',
        'groups:',
        '  - name: g',
        '    rules:',
        '      - uid: r-1',
        "        for: '5m'",
        '        data:',
        '          - refId: A',
        '            relativeTimeRange:',
        '              from: 600',
        '              to: 0',
        'empty: []',
        'none: {}',
        'flag: false',
        '',
      ].join('\n'),
    );
  });

  it('quotes strings YAML would read as something else', () => {
    const text = toYaml({
      a: 'true',
      b: 'no',
      c: '1.5',
      d: '$GT_PG_HOST',
      e: 'a: b',
      f: 'x #y',
      g: 'ends:',
      h: '',
      i: ' lead',
      j: '@x',
    });
    expect(text).toBe(
      "a: 'true'\nb: 'no'\nc: '1.5'\nd: '$GT_PG_HOST'\ne: 'a: b'\nf: 'x #y'\ng: 'ends:'\nh: ''\ni: ' lead'\nj: '@x'\n",
    );
    expect(toYaml({ q: 'say "it\'s"', r: "it's", s: 'a "b"' })).toBe(`q: 'say "it''s"'\nr: "it's"\ns: 'a "b"'\n`);
  });

  it('keeps multi-line SQL readable as a literal block, and quotes text a block would alter', () => {
    expect(toYaml({ rules: [{ rawSql: "SELECT 1\n  FROM t\n\nWHERE x = 'a'" }] })).toBe(
      "rules:\n  - rawSql: |-\n      SELECT 1\n        FROM t\n\n      WHERE x = 'a'\n",
    );
    expect(toYaml({ s: 'trailing \nspace' })).toBe('s: "trailing \\nspace"\n');
    expect(toYaml({ s: 'ends with newline\n' })).toBe('s: "ends with newline\\n"\n');
    expect(toYaml({ s: 'tab\there\nx' })).toBe('s: "tab\\there\\nx"\n');
  });

  it('refuses numbers YAML cannot carry', () => {
    expect(() => toYaml({ x: Number.NaN })).toThrow(YamlError);
    expect(() => toYaml({ x: Number.POSITIVE_INFINITY })).toThrow(YamlError);
  });
});
