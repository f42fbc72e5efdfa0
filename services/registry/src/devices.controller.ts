import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DevicesService } from './devices.service.js';
import {
  deviceHistorySchema,
  deviceIdSchema,
  deviceViewSchema,
  errorBodySchema,
  ownerDevicesQuerySchema,
  ownerDevicesSchema,
  signedRegistrationSchema,
  signedTransferSchema,
  walletSchema,
} from './registry.schemas.js';

const refused = (status: number, description: string) =>
  ApiResponse({ status, description, standardSchema: errorBodySchema });

/** Public routes: registration, transfer and look-ups. Each handler hands over to DevicesService. */
@ApiTags('devices')
@Controller()
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Post('devices')
  @ApiOperation({
    summary: 'Register a device',
    description:
      'The device (proof of possession) and the owner wallet both sign `gt:v1:register:` ‖ RFC 8785 bytes of `request`; ' +
      'a maker may attest the device key. Each signed request is single-use (nonce) and expires (`expires_at`).',
  })
  @ApiResponse({ status: 201, description: 'registered', standardSchema: deviceViewSchema })
  @refused(400, 'VALIDATION, MALFORMED_JSON, REQUEST_EXPIRED, EXPIRY_TOO_FAR, MALFORMED_SIGNATURE, ...')
  @refused(403, 'BAD_DEVICE_SIGNATURE, BAD_OWNER_SIGNATURE, BAD_MAKER_SIGNATURE, MAKER_SIGNATURE_MISSING, ...')
  @refused(404, 'UNKNOWN_MAKER')
  @refused(409, 'DEVICE_EXISTS, NONCE_REUSED')
  register(@Body({ schema: signedRegistrationSchema }) body: unknown) {
    return this.devices.register(body);
  }

  @Get('devices/:id')
  @ApiOperation({ summary: 'A device: owner, kind, declared place and interval, status, signed registration' })
  @ApiOkResponse({ standardSchema: deviceViewSchema })
  @refused(404, 'UNKNOWN_DEVICE')
  get(@Param('id', { schema: deviceIdSchema }) id: string) {
    return this.devices.get(id);
  }

  @Get('devices/:id/history')
  @ApiOperation({ summary: 'Every registration, transfer and status change of a device, with its evidence' })
  @ApiOkResponse({ standardSchema: deviceHistorySchema })
  @refused(404, 'UNKNOWN_DEVICE')
  history(@Param('id', { schema: deviceIdSchema }) id: string) {
    return this.devices.history(id);
  }

  @Get('owners/:wallet/devices')
  @ApiOperation({ summary: "A wallet's devices, by ascending device id; pass `next` as `after` for more" })
  @ApiOkResponse({ standardSchema: ownerDevicesSchema })
  listByOwner(
    @Param('wallet', { schema: walletSchema }) wallet: string,
    @Query({ schema: ownerDevicesQuerySchema }) query: { limit: number; after?: string },
  ) {
    return this.devices.listByOwner(wallet, query);
  }

  @Post('devices/:id/transfer')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Transfer a device to another owner wallet',
    description: 'The current and the new owner both sign `gt:v1:transfer:` ‖ RFC 8785 bytes of `request`.',
  })
  @ApiOkResponse({ standardSchema: deviceViewSchema })
  @refused(403, 'TRANSFER_NOT_SIGNED_BY_OLD_OWNER, TRANSFER_NOT_SIGNED_BY_NEW_OWNER')
  @refused(404, 'UNKNOWN_DEVICE')
  @refused(409, 'NOT_CURRENT_OWNER, DEVICE_REVOKED, NONCE_REUSED')
  transfer(@Param('id', { schema: deviceIdSchema }) id: string, @Body({ schema: signedTransferSchema }) body: unknown) {
    return this.devices.transfer(id, body);
  }
}
