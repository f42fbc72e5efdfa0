/**
 * The scoring job as Prometheus sees it (a row of the data-quality dashboard): how long its runs take, the epoch
 * scores it gives, the readings it flags by check and the readings it scores. The job runs hourly, so its
 * panels look back an hour rather than at per-second rates.
 */
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { prom, promHeatmap } from '../common.js';
import { SCORING, bucket } from '../metrics.js';
import { heatmap, timeseries } from '../panels.js';

const increase = (series: string, by: string) => `sum by (${by}) (increase(${series}[1h]))`;

export function scoringJobRow(b: DashboardBuilder): DashboardBuilder {
  return b
    .withRow(new RowBuilder('Scoring job (Prometheus)'))
    .withPanel(
      timeseries({
        title: 'Scoring run duration',
        description: 'Mean duration of the scoring runs of the last hour, by operation (closed hours, epoch, appeal).',
        span: 6,
        unit: 's',
        targets: [
          prom(
            `${increase(`${SCORING.jobDuration}_sum`, 'operation')} / ${increase(`${SCORING.jobDuration}_count`, 'operation')}`,
            '{{operation}}',
          ),
        ],
      }),
    )
    .withPanel(
      heatmap({
        title: 'Epoch scores given',
        description: 'Quality scores the job gave in each interval, by score band (devices of the selected kinds).',
        span: 6,
        calculate: false,
        targets: [
          promHeatmap(
            `sum by (le) (increase(${bucket(SCORING.epochScore)}{score="quality", kind=~"$kind"}[$__rate_interval]))`,
          ),
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Flagged by check (last hour)',
        description: 'Readings (or hour-level values) the job flagged in the last hour, by check.',
        span: 6,
        unit: 'short',
        targets: [prom(increase(SCORING.flags, 'check'), '{{check}}')],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Readings scored (last hour)',
        description: 'Readings read by the hourly rollups and by epoch scoring in the last hour.',
        span: 6,
        unit: 'short',
        targets: [prom(increase(SCORING.readings, 'operation'), '{{operation}}')],
      }),
    );
}
