import { Injectable } from '@nestjs/common';
import { toMakerView } from './device-view.js';
import { MakersRepository } from './makers.repository.js';
import type { OperatorToken } from '@groundtruth/service-kit';
import { RegistryLogger } from './registry.deps.js';
import { RegistryError } from './registry.error.js';
import { RegistryMetrics } from './registry.metrics.js';
import type { MakerView } from './registry.schemas.js';

/** Maker keys, registered by operators, whose attestations registrations may carry. */
@Injectable()
export class MakersService {
  constructor(
    private readonly makers: MakersRepository,
    private readonly metrics: RegistryMetrics,
    private readonly log: RegistryLogger,
  ) {}

  async register(key: string, name: string, operator: OperatorToken): Promise<MakerView> {
    const row = await this.makers.insert(key, name, operator.name);
    this.metrics.makers.inc();
    this.log.info('maker_registered', { maker: key, name, operator: operator.name });
    return toMakerView(row);
  }

  async get(key: string): Promise<MakerView> {
    const row = await this.makers.find(key);
    if (row === undefined) {
      throw new RegistryError('UNKNOWN_MAKER', 'the maker key is not registered', { maker: key });
    }
    return toMakerView(row);
  }
}
