import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { RescoreOutcome } from '../service/rescoring.service.js';
import { QualityService } from '../service/quality.service.js';
import { RescoringService, type AppealBody } from '../service/rescoring.service.js';
import {
  appealBodySchema,
  deviceIdSchema,
  deviceScoresQuerySchema,
  deviceScoresSchema,
  errorBodySchema,
  qualityQuerySchema,
  qualitySchema,
  rescoreOutcomeSchema,
} from './scoring.schemas.js';

const refused = (status: number, description: string) =>
  ApiResponse({ status, description, standardSchema: errorBodySchema });

interface StatusResponse {
  status(code: number): unknown;
}

/** A device's quality: the explained score of an epoch, its recent epochs, and the owner's appeal. */
@ApiTags('devices')
@Controller('devices/:id')
export class DevicesController {
  constructor(
    private readonly quality: QualityService,
    private readonly rescoring: RescoringService,
  ) {}

  @Get('quality')
  @ApiOperation({
    summary: 'Why did my device score 0.62?',
    description:
      'The score of one epoch (default the newest scored) with its version, per-check breakdown, reason codes and ' +
      'the checks that cost the most, each with example readings as stored.',
  })
  @ApiOkResponse({ standardSchema: qualitySchema })
  @refused(400, 'VALIDATION, BAD_EPOCH')
  @refused(404, 'DEVICE_NOT_FOUND, EPOCH_NOT_SCORED')
  explain(
    @Param('id', { schema: deviceIdSchema }) id: string,
    @Query({ schema: qualityQuerySchema }) query: { epoch?: string; version?: string; top: number },
  ) {
    return this.quality.explain(id, query);
  }

  @Get('scores')
  @ApiOperation({ summary: "A device's scores of recent epochs, newest first (each epoch's newest version)" })
  @ApiOkResponse({ standardSchema: deviceScoresSchema })
  @refused(404, 'DEVICE_NOT_FOUND')
  scores(
    @Param('id', { schema: deviceIdSchema }) id: string,
    @Query({ schema: deviceScoresQuerySchema }) query: { limit: number; before?: number },
  ) {
    return this.quality.deviceScores(id, query);
  }

  @Post('appeals')
  @HttpCode(200)
  @ApiOperation({
    summary: "Appeal an epoch's score: re-score it with a newer algorithm version",
    description:
      'Signed by the owner wallet over `gt:v1:scoring-appeal:` ‖ RFC 8785 bytes of `request`. Recorded as an ' +
      '`appeal` run; 200 with the run and the score before and after, or 202 while it still runs.',
  })
  @ApiResponse({ status: 200, description: 'scored', standardSchema: rescoreOutcomeSchema })
  @ApiResponse({ status: 202, description: 'still running: see `runs`', standardSchema: rescoreOutcomeSchema })
  @refused(400, 'VALIDATION, BAD_EPOCH, UNKNOWN_VERSION, REQUEST_EXPIRED, EXPIRY_TOO_FAR')
  @refused(403, 'BAD_OWNER_SIGNATURE, NO_OWNER_WALLET')
  @refused(404, 'DEVICE_NOT_FOUND, EPOCH_NOT_SCORED')
  @refused(409, 'VERSION_NOT_NEWER, APPEAL_IN_PROGRESS')
  async appeal(
    @Param('id', { schema: deviceIdSchema }) id: string,
    @Body({ schema: appealBodySchema }) body: AppealBody,
    @Res({ passthrough: true }) response: StatusResponse,
  ): Promise<RescoreOutcome> {
    const outcome = await this.rescoring.appeal(id, body);
    response.status(outcome.status === 'done' ? 200 : 202);
    return outcome;
  }
}
