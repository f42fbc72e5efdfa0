import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitCopyLine, unescapeCopyField } from './copy-text.js';
import { CsvRecordSplitter, recordComplete, splitRecord } from './csv-records.js';
import { canonicalQuery, exportMetrics, frozenQueryFromJson, parseDatasetQuery, queryToJson } from './dataset-query.js';
import { MarketError } from './market-error.js';

const base = { kind: 'weather', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
const codeOf = (raw: unknown): string => {
  try {
    parseDatasetQuery(raw);
    return 'OK';
  } catch (error) {
    return (error as MarketError).code;
  }
};

describe('parseDatasetQuery', () => {
  it('normalizes query-string input', () => {
    const query = parseDatasetQuery({
      ...base,
      metrics: 'temperature,humidity,temperature',
      bbox: '4.7,52.2,5.2,52.5',
      minQuality: '0.5',
    });
    expect(query).toEqual({
      kind: 'weather',
      metrics: ['humidity', 'temperature'],
      region: { bbox: [4.7, 52.2, 5.2, 52.5] },
      from: Date.UTC(2026, 0, 1),
      to: Date.UTC(2026, 0, 2),
      minQuality: 0.5,
      excludeFlagged: false,
    });
    expect(exportMetrics(query)).toEqual(['humidity', 'temperature']);
    expect(exportMetrics(parseDatasetQuery(base))).toHaveLength(11);
  });

  it('round-trips a frozen query through its JSON form', () => {
    const query = { ...parseDatasetQuery({ ...base, cells: '871969082ffffff', excludeFlagged: 'true' }), asOf: 123 };
    expect(frozenQueryFromJson(JSON.parse(JSON.stringify(queryToJson(query))))).toEqual(query);
    expect(canonicalQuery(query)).toContain('"asOf":123');
  });

  it('refuses bad input with BAD_QUERY or UNKNOWN_METRIC', () => {
    expect(codeOf({ ...base, kind: 'boat' })).toBe('BAD_QUERY');
    expect(codeOf({ ...base, metrics: 'rpm' })).toBe('UNKNOWN_METRIC');
    expect(codeOf({ ...base, to: base.from })).toBe('BAD_QUERY');
    expect(codeOf({ ...base, bbox: '1,2,3' })).toBe('BAD_QUERY');
    expect(codeOf({ ...base, bbox: '0,50,1,40' })).toBe('BAD_QUERY');
    expect(codeOf({ ...base, cells: '871969082fffffe' })).toBe('BAD_QUERY');
    expect(codeOf({ ...base, cells: '871969082ffffff', bbox: '0,0,1,1' })).toBe('BAD_QUERY');
    expect(codeOf({ ...base, minQuality: '2' })).toBe('BAD_QUERY');
    expect(codeOf({ ...base, extra: 1 })).toBe('BAD_QUERY');
  });
});

describe('COPY text', () => {
  it('splits fields, maps \\N to null and unescapes', () => {
    expect(splitCopyLine('a\t\\N\tb\\tc\\\\d\\n')).toEqual(['a', null, 'b\tc\\d\n']);
    expect(unescapeCopyField('\\101\\x42')).toBe('AB');
  });
});

describe('CSV records', () => {
  it('splits quoted fields with commas, doubled quotes and line breaks', () => {
    expect(splitRecord('a,"b,""c""",,d')).toEqual(['a', 'b,"c"', '', 'd']);
    expect(splitRecord('a,')).toEqual(['a', '']);
    expect(splitRecord('a,"open')).toBeUndefined();
    const splitter = new CsvRecordSplitter();
    expect(splitter.push('h1,h2')).toEqual(['h1', 'h2']);
    expect(splitter.push('x,"multi')).toBeUndefined();
    expect(splitter.push('line"')).toEqual(['x', 'multi\nline']);
    expect(splitter.recordLine).toBe(2);
    expect(splitter.push('y,"open')).toBeUndefined();
    expect(splitter.incomplete).toBe(true);
    const records = new CsvRecordSplitter();
    expect(records.pushRecord('x,"multi')).toBeUndefined();
    expect(records.pushRecord('line",z')).toBe('x,"multi\nline",z');
  });

  it('tells a complete record exactly when splitRecord would split it (property)', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', 'é') });
    fc.assert(
      fc.property(text, (record) => {
        expect(recordComplete(record)).toBe(splitRecord(record) !== undefined);
      }),
      { numRuns: 2000 },
    );
  });
});
