// A Fastify 5 checkout API on checkout-store, over the host's own Knex instance.

import { createCheckoutStore, isCheckoutStoreError } from 'checkout-store'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import type { CheckoutBody, FulfilBody, PayBody } from '../shared/bodies.js'

export function createApp(db: Knex): FastifyInstance {
  const store = createCheckoutStore(db)
  const app = Fastify()

  // Every coded error carries its HTTP status; its message and issues never hold the caller's values.
  app.setErrorHandler((error, _request, reply) => {
    if (isCheckoutStoreError(error)) {
      const issues = 'issues' in error ? error.issues : undefined
      return reply.status(error.httpStatus).send({ code: error.code, message: error.message, issues })
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500
    return reply.status(status).send({ code: 'INTERNAL', message: 'Something went wrong.' })
  })

  const key = (headers: Record<string, unknown>) => {
    const value = headers['idempotency-key']
    return typeof value === 'string' ? value : undefined
  }

  app.post<{ Body: CheckoutBody }>('/checkout', async (request, reply) => {
    const { email, name, phone, shippingAddress, paymentMethod, items, shippingTotal, note } = request.body
    // One transaction per request: a refused order leaves no new customer or address behind.
    const order = await store.transaction(async (tx) => {
      const { customer } = await tx.customers.findOrCreate({ email, name, phone })
      await tx.customers.addAddress(customer.id, { ...shippingAddress, isDefaultShipping: true })
      await tx.customers.addPaymentMethod(customer.id, paymentMethod)
      return tx.orders.create(
        { customerId: customer.id, currency: 'USD', items, shippingAddress, shippingTotal, note },
        { idempotencyKey: key(request.headers) },
      )
    })
    return reply.status(201).send(order)
  })

  app.get<{ Params: { id: string } }>('/customers/:id/orders', async (request) => {
    const customer = await store.customers.get(request.params.id)
    return store.orders.list({ customerId: customer.id, limit: 20 })
  })

  app.post<{ Params: { id: string }; Body: PayBody }>('/orders/:id/pay', async (request, reply) => {
    const order = await store.orders.get(request.params.id)
    const payment = await store.payments.authorize(
      order.id,
      { ...request.body, amount: order.total, capture: true },
      { idempotencyKey: key(request.headers) },
    )
    return reply.status(201).send(payment)
  })

  app.post<{ Params: { id: string }; Body: FulfilBody }>(
    '/orders/:id/fulfillments',
    async (request, reply) => {
      const parcel = await store.fulfillments.create(request.params.id, request.body, {
        idempotencyKey: key(request.headers),
      })
      return reply.status(201).send(await store.fulfillments.ship(parcel.id))
    },
  )

  return app
}
