import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { OwnersService, ownerDownloadSchema, type OwnerDownloadQuery } from '../owners.service.js';
import { deviceIdSchema, errorBodySchema, walletSchema } from './market.schemas.js';

const refused = (status: number, description: string) =>
  ApiResponse({ status, description, standardSchema: errorBodySchema });

/** What owners get: their own data for free, and what their devices earned from sales. */
@ApiTags('owners')
@Controller()
export class OwnersController {
  constructor(private readonly owners: OwnersService) {}

  @Get('devices/:device/readings.csv')
  @ApiOperation({
    summary: "Download your device's readings as CSV, free",
    description:
      'Signed by the owner wallet: `gt:v1:owner-export:` ‖ RFC 8785 of {device, from, to, expiresAt, nonce}. Single use.',
  })
  @refused(400, 'BAD_QUERY')
  @refused(403, 'BAD_OWNER_SIGNATURE')
  @refused(404, 'UNKNOWN_DEVICE')
  @refused(409, 'OWNER_NONCE_REUSED')
  @refused(410, 'OWNER_AUTH_EXPIRED')
  download(
    @Param('device', { schema: deviceIdSchema }) device: string,
    @Query({ schema: ownerDownloadSchema }) query: OwnerDownloadQuery,
  ) {
    return this.owners.download(device, query);
  }

  @Get('devices/:device/revenue')
  @ApiOperation({ summary: "The device's share of each dataset sale (paid to its owner with the next epoch)" })
  deviceRevenue(@Param('device', { schema: deviceIdSchema }) device: string) {
    return this.owners.revenueOfDevice(device);
  }

  @Get('owners/:wallet/revenue')
  @ApiOperation({ summary: 'Sales shares of the devices a wallet owned when each sale was paid' })
  ownerRevenue(@Param('wallet', { schema: walletSchema }) wallet: string) {
    return this.owners.revenueOfOwner(wallet);
  }
}
