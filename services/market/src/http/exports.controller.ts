import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ExportsService } from '../exports.service.js';
import { errorBodySchema, hexId } from './market.schemas.js';

const refused = (status: number, description: string) =>
  ApiResponse({ status, description, standardSchema: errorBodySchema });

/** Export jobs: progress, the data file, the signed manifest. */
@ApiTags('exports')
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get(':exportId')
  @ApiOperation({ summary: 'Progress of an export: rows and bytes written, state, and the manifest once done' })
  @refused(404, 'EXPORT_NOT_FOUND')
  status(@Param('exportId', { schema: hexId('export id') }) exportId: string) {
    return this.exports.status(exportId);
  }

  @Get(':exportId/data')
  @ApiOperation({ summary: 'The data file (streamed): every row with its device id, signed body, signature and proof' })
  @refused(404, 'EXPORT_NOT_FOUND')
  @refused(409, 'EXPORT_NOT_READY')
  data(@Param('exportId', { schema: hexId('export id') }) exportId: string) {
    return this.exports.dataFile(exportId);
  }

  @Get(':exportId/manifest.json')
  @ApiOperation({
    summary: 'manifest.json: query, counts, time range, Merkle root of the rows, license, network signature',
  })
  @refused(404, 'EXPORT_NOT_FOUND')
  @refused(409, 'EXPORT_NOT_READY')
  manifest(@Param('exportId', { schema: hexId('export id') }) exportId: string) {
    return this.exports.manifest(exportId);
  }
}
