/**
 * The metric names a PromQL expression reads, without a full parser: identifiers that are not functions,
 * aggregation operators, keywords, label names (inside `{...}` or the parentheses of `by`/`without`/`on`/
 * `ignoring`/`group_left`/`group_right`) or durations (inside `[...]`). Grafana variables (`$__rate_interval`,
 * `$kind`) and string literals are removed first. Also returns the label names each selector matches on.
 */

export interface MetricSelector {
  readonly name: string;
  /** label names matched in the selector's `{...}` */
  readonly labels: readonly string[];
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
  // aggregation operators may be written `sum by (x) (...)`: not followed by `(`
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
  'limitk',
  'limit_ratio',
]);

const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

export class PromqlNameError extends Error {
  override readonly name = 'PromqlNameError';
}

/** Every metric selector of `expr`, in order of appearance (duplicates kept). */
export function metricSelectors(expr: string): MetricSelector[] {
  // strings first (they may contain anything), then Grafana variables
  const text = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""').replace(/\$\{?\w+\}?/g, '1m');
  const selectors: MetricSelector[] = [];
  let i = 0;
  let expectLabelList = false;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '[') {
      const end = text.indexOf(']', i);
      if (end < 0) {
        throw new PromqlNameError(`unbalanced [ in ${expr}`);
      }
      i = end + 1;
      continue;
    }
    if (c === '(' && expectLabelList) {
      const end = text.indexOf(')', i);
      if (end < 0) {
        throw new PromqlNameError(`unbalanced ( in ${expr}`);
      }
      i = end + 1;
      expectLabelList = false;
      continue;
    }
    if (c === '{') {
      // a selector without a metric name: {__name__="x"} is not used by the dashboards
      throw new PromqlNameError(`selector without a metric name in ${expr}`);
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text.slice(i));
    if (!ident) {
      const number = /^(?:0x[0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?(?:ms|[smhdwy])*)/.exec(text.slice(i));
      if (number) {
        // a number or a duration (`offset 5m`): not the start of an identifier
        i += number[0].length;
        continue;
      }
      expectLabelList = expectLabelList && /\s/.test(c);
      i += 1;
      continue;
    }
    const word = ident[0];
    i += word.length;
    const after = text.slice(i).trimStart();
    if (LABEL_LIST_KEYWORDS.has(word.toLowerCase())) {
      expectLabelList = true;
      continue;
    }
    if (KEYWORDS.has(word.toLowerCase()) || after.startsWith('(')) {
      continue;
    }
    let labels: string[] = [];
    if (after.startsWith('{')) {
      const open = text.indexOf('{', i);
      const close = text.indexOf('}', open);
      if (close < 0) {
        throw new PromqlNameError(`unbalanced { in ${expr}`);
      }
      labels = [...text.slice(open + 1, close).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map(
        (m) => m[1]!,
      );
      i = close + 1;
    }
    selectors.push({ name: word, labels });
  }
  return selectors;
}

/** The distinct metric names of `expr`, sorted. */
export function metricNames(expr: string): string[] {
  return [...new Set(metricSelectors(expr).map((s) => s.name))].sort();
}

/**
 * The series names a metric family of the given type shows in the text exposition format: a histogram `x`
 * is queried as `x_bucket`, `x_sum`, `x_count`; a summary as `x`, `x_sum`, `x_count`.
 */
export function exposedSeries(family: string, type: string): string[] {
  switch (type) {
    case 'histogram':
      return [`${family}_bucket`, `${family}_sum`, `${family}_count`];
    case 'summary':
      return [family, `${family}_sum`, `${family}_count`];
    default:
      return [family];
  }
}

/** Series names (`# TYPE` lines expanded by type) in a Prometheus text exposition, e.g. a `/metrics` body. */
export function exposedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    for (const name of exposedSeries(match[1]!, match[2]!)) {
      names.add(name);
    }
  }
  return names;
}
