import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ExportsService } from '../exports.service.js';
import { PaymentsService } from '../payments.service.js';
import { errorBodySchema, exportRequestSchema, hexId, paymentRequestSchema } from './market.schemas.js';

const refused = (status: number, description: string) =>
  ApiResponse({ status, description, standardSchema: errorBodySchema });

/** Orders: payment and exports; each handler hands over to a service. */
@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly exports: ExportsService,
  ) {}

  @Get(':orderId')
  @ApiOperation({ summary: 'An order: its signed quote, payment and exports' })
  @refused(404, 'ORDER_NOT_FOUND')
  get(@Param('orderId', { schema: hexId('order id') }) orderId: string) {
    return this.payments.order(orderId);
  }

  @Post(':orderId/payment')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Submit the transaction that pays the order',
    description:
      'Verified on chain: mint, treasury token account, amount, memo, confirmation, before the quote expired.',
  })
  @refused(404, 'ORDER_NOT_FOUND, TX_NOT_FOUND')
  @refused(409, 'TX_REUSED, TX_NOT_CONFIRMED, ALREADY_PAID')
  @refused(410, 'QUOTE_EXPIRED')
  @refused(422, 'UNDERPAID, WRONG_MEMO, WRONG_MINT, WRONG_DESTINATION, TX_FAILED')
  pay(
    @Param('orderId', { schema: hexId('order id') }) orderId: string,
    @Body({ schema: paymentRequestSchema }) body: { signature: string },
  ) {
    return this.payments.pay(orderId, body.signature);
  }

  @Post(':orderId/exports')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start an export of a paid order (csv, jsonl or parquet); poll GET /exports/{id} for progress',
  })
  @refused(402, 'NOT_PAID')
  @refused(404, 'ORDER_NOT_FOUND')
  export(
    @Param('orderId', { schema: hexId('order id') }) orderId: string,
    @Body({ schema: exportRequestSchema }) body: { format: 'csv' | 'jsonl' | 'parquet' },
  ) {
    return this.exports.start(orderId, body.format);
  }
}
