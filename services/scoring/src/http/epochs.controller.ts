import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { QualityService } from '../service/quality.service.js';
import { RescoringService, type RescoreBody, type RescoreOutcome } from '../service/rescoring.service.js';
import { Operator, OperatorGuard } from './operator.guard.js';
import type { OperatorToken } from '@groundtruth/service-kit';
import {
  epochRunsSchema,
  epochScoresQuerySchema,
  epochScoresSchema,
  errorBodySchema,
  rescoreBodySchema,
  rescoreOutcomeSchema,
  runIdSchema,
  runSchema,
} from './scoring.schemas.js';

const refused = (status: number, description: string) =>
  ApiResponse({ status, description, standardSchema: errorBodySchema });

interface StatusResponse {
  status(code: number): unknown;
}

/** Epochs: every device's score, the runs that scored them, and operator re-scoring. */
@ApiTags('epochs')
@Controller()
export class EpochsController {
  constructor(
    private readonly quality: QualityService,
    private readonly rescoring: RescoringService,
  ) {}

  @Get('epochs/:epoch/scores')
  @ApiOperation({
    summary: "Every device's score of an epoch, by device id",
    description: '`complete` says a whole-epoch run has finished (what the rewards service waits for).',
  })
  @ApiOkResponse({ standardSchema: epochScoresSchema })
  @refused(400, 'BAD_EPOCH, VALIDATION')
  @refused(404, 'EPOCH_NOT_SCORED')
  scores(
    @Param('epoch') epoch: string,
    @Query({ schema: epochScoresQuerySchema }) query: { version?: string; limit: number; after?: string },
  ) {
    return this.quality.epochScores(epoch, query);
  }

  @Get('epochs/:epoch/runs')
  @ApiOperation({ summary: 'The runs that scored an epoch (scheduled, rescore, appeal), oldest first' })
  @ApiOkResponse({ standardSchema: epochRunsSchema })
  @refused(400, 'BAD_EPOCH')
  runs(@Param('epoch') epoch: string) {
    return this.quality.epochRuns(epoch);
  }

  @Post('epochs/:epoch/rescore')
  @HttpCode(200)
  @UseGuards(OperatorGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Re-score an ended epoch (or one device of it) with a version no older than its scores',
    description:
      'Recorded as a `rescore` run with the operator and reason; repeatable: the same data and version give the ' +
      'same digest (`repeat_of.same_digest`). 200 when done, 202 while it still runs.',
  })
  @ApiResponse({ status: 200, description: 'scored', standardSchema: rescoreOutcomeSchema })
  @ApiResponse({ status: 202, description: 'still running: see `runs`', standardSchema: rescoreOutcomeSchema })
  @refused(400, 'BAD_EPOCH, UNKNOWN_VERSION, VALIDATION')
  @refused(401, 'UNAUTHENTICATED')
  @refused(403, 'FORBIDDEN')
  @refused(404, 'DEVICE_NOT_FOUND')
  @refused(409, 'EPOCH_NOT_ENDED, VERSION_NOT_NEWER')
  async rescore(
    @Param('epoch') epoch: string,
    @Body({ schema: rescoreBodySchema }) body: RescoreBody,
    @Operator() operator: OperatorToken,
    @Res({ passthrough: true }) response: StatusResponse,
  ): Promise<RescoreOutcome> {
    const outcome = await this.rescoring.rescore(epoch, body, operator);
    response.status(outcome.status === 'done' ? 200 : 202);
    return outcome;
  }

  @Get('runs/:id')
  @ApiTags('runs')
  @ApiOperation({ summary: 'One run of the scoring ledger: who asked, why, the version, status and digest' })
  @ApiOkResponse({ standardSchema: runSchema })
  @refused(400, 'VALIDATION')
  @refused(404, 'RUN_NOT_FOUND')
  run(@Param('id', { schema: runIdSchema }) id: number) {
    return this.quality.run(id);
  }
}
