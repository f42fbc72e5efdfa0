import { Controller, Get, Header, Param, Query } from '@nestjs/common';
import { Registry } from 'prom-client';
import { RewardsError } from '../core/errors.js';
import { RewardsMetrics } from '../rewards.metrics.js';
import { EpochsQueryService } from './epochs-query.service.js';

function epochParam(value: string): number {
  const n = Number(value);
  if (!/^\d{1,15}$/.test(value) || !Number.isSafeInteger(n)) {
    throw new RewardsError('BAD_REQUEST', `epoch must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** The epochs API: closed epochs, their manifests, inclusion proofs and payout ledgers. */
@Controller('epochs')
export class EpochsController {
  constructor(private readonly query: EpochsQueryService) {}

  @Get()
  list(@Query('limit') limit?: string, @Query('before') before?: string) {
    const n = limit === undefined ? 30 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) {
      throw new RewardsError('BAD_REQUEST', 'limit must be an integer in 1..500');
    }
    return this.query.list(n, before === undefined ? undefined : epochParam(before));
  }

  @Get(':epoch')
  epoch(@Param('epoch') epoch: string) {
    return this.query.epoch(epochParam(epoch));
  }

  @Get(':epoch/manifest')
  manifest(@Param('epoch') epoch: string) {
    return this.query.manifest(epochParam(epoch));
  }

  @Get(':epoch/proof/:device')
  proof(@Param('epoch') epoch: string, @Param('device') device: string) {
    return this.query.proof(epochParam(epoch), device);
  }

  @Get(':epoch/payouts')
  payouts(@Param('epoch') epoch: string) {
    return this.query.ledger(epochParam(epoch));
  }
}

/** Prometheus exposition and a liveness probe. */
@Controller()
export class MetricsController {
  constructor(private readonly metrics: RewardsMetrics) {}

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  render(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  @Get('health')
  health() {
    return { status: 'ok' };
  }
}
