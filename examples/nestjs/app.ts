// A NestJS 11 checkout API on checkout-store, over the host's own Knex instance: the store is a provider,
// its coded errors become HTTP answers in one exception filter.
import 'reflect-metadata'
import {
  type ArgumentsHost,
  Body,
  Catch,
  Controller,
  type DynamicModule,
  Get,
  Headers,
  type INestApplication,
  Inject,
  Module,
  Param,
  Post,
} from '@nestjs/common'
import { BaseExceptionFilter, HttpAdapterHost, NestFactory } from '@nestjs/core'
import { type CheckoutStore, createCheckoutStore, isCheckoutStoreError } from 'checkout-store'
import type { Response } from 'express'
import type { Knex } from 'knex'
import type { CheckoutBody, FulfilBody, PayBody } from '../shared/bodies.js'

const STORE = Symbol('checkout-store')

@Controller()
class CheckoutController {
  // Tokens are explicit, so the example needs no emitted decorator metadata.
  constructor(@Inject(STORE) private readonly store: CheckoutStore) {}

  @Post('checkout')
  checkout(@Body() body: CheckoutBody, @Headers('idempotency-key') key?: string) {
    const { email, name, phone, shippingAddress, paymentMethod, items, shippingTotal, note } = body
    // One transaction per request: a refused order leaves no new customer or address behind.
    return this.store.transaction(async (tx) => {
      const { customer } = await tx.customers.findOrCreate({ email, name, phone })
      await tx.customers.addAddress(customer.id, { ...shippingAddress, isDefaultShipping: true })
      await tx.customers.addPaymentMethod(customer.id, paymentMethod)
      return tx.orders.create(
        { customerId: customer.id, currency: 'USD', items, shippingAddress, shippingTotal, note },
        { idempotencyKey: key },
      )
    })
  }

  @Get('customers/:id/orders')
  async orders(@Param('id') id: string) {
    const customer = await this.store.customers.get(id)
    return this.store.orders.list({ customerId: customer.id, limit: 20 })
  }

  @Post('orders/:id/pay')
  async pay(@Param('id') id: string, @Body() body: PayBody, @Headers('idempotency-key') key?: string) {
    const order = await this.store.orders.get(id)
    return this.store.payments.authorize(
      order.id,
      { ...body, amount: order.total, capture: true },
      { idempotencyKey: key },
    )
  }

  @Post('orders/:id/fulfillments')
  async fulfil(@Param('id') id: string, @Body() body: FulfilBody, @Headers('idempotency-key') key?: string) {
    const parcel = await this.store.fulfillments.create(id, body, { idempotencyKey: key })
    return this.store.fulfillments.ship(parcel.id)
  }
}

/** Coded errors carry their HTTP status; their messages and issues never hold the caller's values. */
@Catch()
class CheckoutErrorFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost): void {
    if (!isCheckoutStoreError(error)) {
      super.catch(error, host)
      return
    }
    const issues = 'issues' in error ? error.issues : undefined
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(error.httpStatus)
      .json({ code: error.code, message: error.message, issues })
  }
}

@Module({})
class CheckoutModule {
  static forRoot(db: Knex): DynamicModule {
    return {
      module: CheckoutModule,
      controllers: [CheckoutController],
      providers: [{ provide: STORE, useValue: createCheckoutStore(db) }],
    }
  }
}

export async function createApp(db: Knex): Promise<INestApplication> {
  const app = await NestFactory.create(CheckoutModule.forRoot(db), { logger: ['error', 'warn'] })
  app.useGlobalFilters(new CheckoutErrorFilter(app.get(HttpAdapterHost).httpAdapter))
  return app
}
