import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { MarketMetrics } from '../market.metrics.js';

/** Prometheus exposition of the process's metric registry. */
@ApiExcludeController()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MarketMetrics) {}

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  render(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
