import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DeviceStatusService } from './device-status.service.js';
import { MakersService } from './makers.service.js';
import { Operator, OperatorGuard } from './operator.guard.js';
import type { OperatorToken } from '@groundtruth/service-kit';
import {
  deviceIdSchema,
  deviceViewSchema,
  errorBodySchema,
  makerViewSchema,
  newMakerSchema,
  statusChangeSchema,
  walletSchema,
} from './registry.schemas.js';

const refused = (status: number, description: string) =>
  ApiResponse({ status, description, standardSchema: errorBodySchema });

/** Operator routes (bearer token): device status and maker keys. */
@ApiTags('operators')
@ApiBearerAuth()
@Controller()
export class OperatorController {
  constructor(
    private readonly status: DeviceStatusService,
    private readonly makers: MakersService,
  ) {}

  @Post('devices/:id/suspend')
  @HttpCode(200)
  @UseGuards(OperatorGuard)
  @ApiOperation({ summary: 'Suspend a device (its readings are refused until reinstated)' })
  @ApiOkResponse({ standardSchema: deviceViewSchema })
  @refused(401, 'UNAUTHENTICATED')
  @refused(403, 'FORBIDDEN')
  @refused(409, 'INVALID_STATUS_TRANSITION, DEVICE_REVOKED')
  suspend(
    @Param('id', { schema: deviceIdSchema }) id: string,
    @Body({ schema: statusChangeSchema }) body: { reason: string },
    @Operator() operator: OperatorToken,
  ) {
    return this.status.apply(id, 'suspend', operator, body.reason);
  }

  @Post('devices/:id/revoke')
  @HttpCode(200)
  @UseGuards(OperatorGuard)
  @ApiOperation({ summary: 'Revoke a device for good (key compromised, fraud)' })
  @ApiOkResponse({ standardSchema: deviceViewSchema })
  @refused(409, 'DEVICE_REVOKED')
  revoke(
    @Param('id', { schema: deviceIdSchema }) id: string,
    @Body({ schema: statusChangeSchema }) body: { reason: string },
    @Operator() operator: OperatorToken,
  ) {
    return this.status.apply(id, 'revoke', operator, body.reason);
  }

  @Post('devices/:id/reinstate')
  @HttpCode(200)
  @UseGuards(OperatorGuard)
  @ApiOperation({ summary: 'Reinstate a suspended device' })
  @ApiOkResponse({ standardSchema: deviceViewSchema })
  @refused(409, 'INVALID_STATUS_TRANSITION, DEVICE_REVOKED')
  reinstate(
    @Param('id', { schema: deviceIdSchema }) id: string,
    @Body({ schema: statusChangeSchema }) body: { reason: string },
    @Operator() operator: OperatorToken,
  ) {
    return this.status.apply(id, 'reinstate', operator, body.reason);
  }

  @Post('makers')
  @UseGuards(OperatorGuard)
  @ApiOperation({ summary: 'Register a maker key whose attestations registrations may carry' })
  @ApiResponse({ status: 201, standardSchema: makerViewSchema })
  @refused(409, 'MAKER_EXISTS')
  registerMaker(
    @Body({ schema: newMakerSchema }) body: { key: string; name: string },
    @Operator() operator: OperatorToken,
  ) {
    return this.makers.register(body.key, body.name, operator);
  }

  @Get('makers/:key')
  @ApiOperation({ summary: 'A registered maker key' })
  @ApiOkResponse({ standardSchema: makerViewSchema })
  @refused(404, 'UNKNOWN_MAKER')
  getMaker(@Param('key', { schema: walletSchema }) key: string) {
    return this.makers.get(key);
  }
}
