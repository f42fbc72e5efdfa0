import { describe, expect, it } from 'vitest';
import { exposedNames, metricNames, metricSelectors, PromqlNameError } from './promql-names.js';

describe('metric names in PromQL', () => {
  it('finds selectors and skips functions, aggregations, label lists, durations and numbers', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, kind) (rate(gt_ingest_commit_seconds_bucket[$__rate_interval])))',
      ),
    ).toEqual(['gt_ingest_commit_seconds_bucket']);
    expect(
      metricNames('sum(rate(a_total[5m])) / clamp_min(sum(rate(a_total[5m])) + sum(rate(b_total[5m])), 1e-9)'),
    ).toEqual(['a_total', 'b_total']);
    expect(metricNames('sum without (instance) (x) > bool 0 and on (job) group_left (kind) y offset 1h30m')).toEqual([
      'x',
      'y',
    ]);
    expect(metricNames('topk(5, sum by (wallet) (increase(payouts_total[1d])))')).toEqual(['payouts_total']);
    expect(metricNames('up{job=~"gt-.*"} == 0 or vector(0)')).toEqual(['up']);
  });

  it('reads label matchers of each selector, ignoring what string values contain', () => {
    expect(
      metricSelectors('sum by (kind) (rate(acc_total{kind=~"$kind", job!="x{y}"}[5m])) + other{reason="A,B=C"}'),
    ).toEqual([
      { name: 'acc_total', labels: ['kind', 'job'] },
      { name: 'other', labels: ['reason'] },
    ]);
  });

  it('refuses expressions it cannot read rather than guessing', () => {
    expect(() => metricNames('{__name__="x"}')).toThrow(PromqlNameError);
    expect(() => metricNames('rate(x[5m')).toThrow(PromqlNameError);
    expect(() => metricNames('x{a="b"')).toThrow(PromqlNameError);
  });
});

describe('names a /metrics exposition offers', () => {
  it('expands histogram and summary families into their series', () => {
    const text = [
      '# HELP gt_a_total A',
      '# TYPE gt_a_total counter',
      'gt_a_total{kind="weather"} 3',
      '# HELP gt_b_seconds B',
      '# TYPE gt_b_seconds histogram',
      '# TYPE gt_c summary',
      '# TYPE gt_d gauge',
    ].join('\n');
    expect([...exposedNames(text)].sort()).toEqual(
      [
        'gt_a_total',
        'gt_b_seconds_bucket',
        'gt_b_seconds_count',
        'gt_b_seconds_sum',
        'gt_c',
        'gt_c_count',
        'gt_c_sum',
        'gt_d',
      ].sort(),
    );
  });
});
