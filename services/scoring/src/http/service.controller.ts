import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { ScoringRunner } from '../scoring.runner.js';
import { QualityService } from '../service/quality.service.js';
import { ServiceMetrics } from '../service.metrics.js';
import { ScoringSettings } from '../scoring.deps.js';
import { versionsSchema } from './scoring.schemas.js';

/** Liveness with the runner's state, the algorithm versions, and the Prometheus exposition. */
@ApiTags('service')
@Controller()
export class ServiceController {
  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly runner: ScoringRunner,
    private readonly quality: QualityService,
    private readonly settings: ScoringSettings,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness, the epoch calendar and the runner state' })
  health() {
    const { genesisMs, durationMs, graceMs } = this.settings.calendar;
    return {
      status: 'ok',
      calendar: {
        genesis: new Date(genesisMs).toISOString(),
        epoch_seconds: durationMs / 1000,
        grace_seconds: graceMs / 1000,
      },
      versions: this.quality.versions(),
      runner: this.runner.status(),
    };
  }

  @Get('versions')
  @ApiOperation({ summary: 'Algorithm versions: the one scheduled runs use, the newest, all available' })
  @ApiOkResponse({ standardSchema: versionsSchema })
  versions() {
    return this.quality.versions();
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  render(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
