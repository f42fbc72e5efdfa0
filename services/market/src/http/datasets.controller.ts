import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HARDWARE_KINDS } from '@groundtruth/protocol';
import { z } from 'zod';
import { CatalogueService } from '../catalogue.service.js';
import { catalogueQuerySchema, errorBodySchema, quoteRequestSchema } from './market.schemas.js';

const refused = (status: number, description: string) =>
  ApiResponse({ status, description, standardSchema: errorBodySchema });

/** The catalogue and quotes; each handler hands over to CatalogueService. */
@ApiTags('datasets')
@Controller()
export class DatasetsController {
  constructor(private readonly catalogue: CatalogueService) {}

  @Get('network-key')
  @ApiOperation({ summary: "The network's ed25519 public key (base58): it signs quotes and export manifests" })
  networkKey() {
    return this.catalogue.networkKey();
  }

  @Get('datasets')
  @ApiOperation({ summary: 'Rows, devices and time range held per hardware kind' })
  overview() {
    return this.catalogue.overview();
  }

  @Get('datasets/:kind')
  @ApiOperation({
    summary: 'Describe a dataset: rows, devices, time range, current price and a few free sample rows',
    description: 'Query: metrics, bbox or cells (H3), from, to, minQuality, excludeFlagged.',
  })
  @refused(400, 'BAD_QUERY, UNKNOWN_METRIC')
  @refused(503, 'QUALITY_UNAVAILABLE')
  describe(
    @Param('kind', { schema: z.enum(HARDWARE_KINDS) }) kind: string,
    @Query({ schema: catalogueQuerySchema }) query: Record<string, unknown>,
  ) {
    return this.catalogue.describe({ ...query, kind });
  }

  @Post('quotes')
  @ApiOperation({
    summary: 'Get a signed quote for a dataset',
    description:
      'The network freezes the query at now, prices it (rows × unit price × quality multiplier) and signs the quote ' +
      '(`gt:v1:quote:` ‖ RFC 8785 of the quote without its signature). Pay `amount` base units of `mint` into ' +
      '`treasury` with a Memo instruction carrying `memo`, before `expiresAt`.',
  })
  @ApiResponse({ status: 201, description: 'the signed quote (an order in state quoted)' })
  @refused(400, 'BAD_QUERY, UNKNOWN_METRIC')
  @refused(404, 'EMPTY_DATASET')
  quote(@Body({ schema: quoteRequestSchema }) body: unknown) {
    return this.catalogue.quote(body);
  }
}
