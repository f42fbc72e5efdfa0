/**
 * Panel factories with the house defaults. Each takes the panel's targets and derives the panel data source from
 * them (one data source per panel: no "-- Mixed --").
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  BarGaugeDisplayMode,
  BigValueColorMode,
  BigValueGraphMode,
  FrameGeometrySourceMode,
  GraphDrawStyle,
  LegendDisplayMode,
  LegendPlacement,
  MapLayerOptionsBuilder,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VisibilityMode,
  VizLegendOptionsBuilder,
  VizOrientation,
  type DataSourceRef,
  FrameGeometrySourceBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import {
  FieldColorBuilder,
  FieldColorModeId,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type Threshold,
  type ThresholdsConfig,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import {
  ControlsOptionsBuilder,
  MapCenterID,
  MapViewConfigBuilder,
  PanelBuilder as GeomapPanel,
  TooltipMode,
  TooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/geomap';
import { PanelBuilder as HeatmapPanel } from '@grafana/grafana-foundation-sdk/heatmap';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

export interface PanelOptions {
  readonly title: string;
  readonly description: string;
  readonly targets: readonly cog.Builder<cog.Dataquery>[];
  readonly unit?: string;
  /** grid width (of 24) */
  readonly span?: number;
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  /** ascending threshold steps after the base colour, e.g. `[[0.5, 'orange'], [0.8, 'green']]` */
  readonly thresholds?: readonly (readonly [number, string])[];
  readonly baseColor?: string;
}

export class PanelError extends Error {
  override readonly name = 'PanelError';
}

function datasourceOf(title: string, targets: readonly cog.Builder<cog.Dataquery>[]): DataSourceRef {
  const refs = targets.map((t) => (t.build() as { datasource?: DataSourceRef }).datasource);
  const first = refs[0];
  if (!first?.uid || refs.some((r) => r?.uid !== first.uid)) {
    throw new PanelError(`panel "${title}" needs targets of exactly one data source`);
  }
  return { ...first };
}

interface CommonBuilder<T> {
  title(t: string): T;
  description(d: string): T;
  datasource(d: DataSourceRef): T;
  targets(t: cog.Builder<cog.Dataquery>[]): T;
  span(w: number): T;
  height(h: number): T;
  unit(u: string): T;
  min(n: number): T;
  max(n: number): T;
  decimals(n: number): T;
  thresholds(t: cog.Builder<ThresholdsConfig>): T;
}

function apply<T extends CommonBuilder<T>>(builder: T, o: PanelOptions, span: number, height: number): T {
  let b = builder
    .title(o.title)
    .description(o.description)
    .datasource(datasourceOf(o.title, o.targets))
    .targets([...o.targets])
    .span(o.span ?? span)
    .height(o.height ?? height);
  if (o.unit !== undefined) {
    b = b.unit(o.unit);
  }
  if (o.min !== undefined) {
    b = b.min(o.min);
  }
  if (o.max !== undefined) {
    b = b.max(o.max);
  }
  if (o.decimals !== undefined) {
    b = b.decimals(o.decimals);
  }
  if (o.thresholds !== undefined) {
    const steps: Threshold[] = [
      { value: null, color: o.baseColor ?? 'red' },
      ...o.thresholds.map(([value, color]) => ({ value, color })),
    ];
    b = b.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps));
  }
  return b;
}

const legend = () =>
  new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).showLegend(true);

export function timeseries(o: PanelOptions & { readonly stacked?: boolean; readonly bars?: boolean }): TimeseriesPanel {
  const panel = apply(new TimeseriesPanel(), o, 12, 8)
    .legend(legend())
    .lineWidth(1)
    .fillOpacity(o.stacked ? 60 : 10)
    .showPoints(VisibilityMode.Never)
    .spanNulls(false);
  if (o.bars) {
    panel.drawStyle(GraphDrawStyle.Bars).fillOpacity(80);
  }
  return o.stacked ? panel.stacking(new StackingConfigBuilder().mode(StackingMode.Normal)) : panel;
}

export function stat(o: PanelOptions): StatPanel {
  return apply(new StatPanel(), o, 6, 4)
    .graphMode(BigValueGraphMode.Area)
    .colorMode(o.thresholds ? BigValueColorMode.Value : BigValueColorMode.None)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

export function table(o: PanelOptions): TablePanel {
  return apply(new TablePanel(), o, 12, 8).showHeader(true).filterable(true);
}

export function bargauge(o: PanelOptions): BarGaugePanel {
  return apply(new BarGaugePanel(), o, 12, 8)
    .displayMode(BarGaugeDisplayMode.Gradient)
    .orientation(VizOrientation.Horizontal)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(true));
}

export function heatmap(o: PanelOptions & { readonly calculate: boolean }): HeatmapPanel {
  return apply(new HeatmapPanel(), o, 12, 8).calculate(o.calculate).showLegend();
}

/** A map of markers placed by `latitude`/`longitude` columns and coloured by `colorField` (0..1, red to green). */
export function geomap(o: PanelOptions & { readonly colorField: string; readonly sizeField?: string }): GeomapPanel {
  const markers = new MapLayerOptionsBuilder()
    .type('markers')
    .name('Devices')
    .tooltip(true)
    .location(
      new FrameGeometrySourceBuilder().mode(FrameGeometrySourceMode.Coords).latitude('latitude').longitude('longitude'),
    )
    .config({
      showLegend: true,
      style: {
        color: { field: o.colorField, fixed: 'dark-green' },
        opacity: 0.8,
        size: o.sizeField ? { field: o.sizeField, fixed: 6, min: 4, max: 14 } : { fixed: 6 },
        symbol: { fixed: 'img/icons/marker/circle.svg', mode: 'fixed' },
      },
    });
  return apply(new GeomapPanel(), o, 24, 16)
    .view(new MapViewConfigBuilder().id(MapCenterID.Fit).lat(0).lon(0).zoom(2))
    .controls(new ControlsOptionsBuilder().showZoom(true).mouseWheelZoom(true).showScale(true))
    .tooltip(new TooltipOptionsBuilder().mode(TooltipMode.Details))
    .basemap(new MapLayerOptionsBuilder().type('osm-standard').name('OpenStreetMap'))
    .layers([markers])
    .colorScheme(new FieldColorBuilder().mode(FieldColorModeId.ContinuousRdYlGr));
}
