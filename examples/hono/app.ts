// A Hono checkout API on checkout-store, over the host's own Knex instance (served by @hono/node-server).
import { createCheckoutStore, isCheckoutStoreError } from 'checkout-store'
import { Hono } from 'hono'
import type { Knex } from 'knex'
import type { CheckoutBody, FulfilBody, PayBody } from '../shared/bodies.js'

export function createApp(db: Knex): Hono {
  const store = createCheckoutStore(db)
  const app = new Hono()

  // Every coded error carries its HTTP status; its message and issues never hold the caller's values.
  app.onError((error, c) => {
    if (!isCheckoutStoreError(error))
      return c.json({ code: 'INTERNAL', message: 'Something went wrong.' }, 500)
    const issues = 'issues' in error ? error.issues : undefined
    return c.json({ code: error.code, message: error.message, issues }, error.httpStatus as 400)
  })

  app.post('/checkout', async (c) => {
    const { email, name, phone, shippingAddress, paymentMethod, items, shippingTotal, note } =
      await c.req.json<CheckoutBody>()
    // One transaction per request: a refused order leaves no new customer or address behind.
    const order = await store.transaction(async (tx) => {
      const { customer } = await tx.customers.findOrCreate({ email, name, phone })
      await tx.customers.addAddress(customer.id, { ...shippingAddress, isDefaultShipping: true })
      await tx.customers.addPaymentMethod(customer.id, paymentMethod)
      return tx.orders.create(
        { customerId: customer.id, currency: 'USD', items, shippingAddress, shippingTotal, note },
        { idempotencyKey: c.req.header('idempotency-key') },
      )
    })
    return c.json(order, 201)
  })

  app.get('/customers/:id/orders', async (c) => {
    const customer = await store.customers.get(c.req.param('id'))
    return c.json(await store.orders.list({ customerId: customer.id, limit: 20 }))
  })

  app.post('/orders/:id/pay', async (c) => {
    const order = await store.orders.get(c.req.param('id'))
    const body = await c.req.json<PayBody>()
    const payment = await store.payments.authorize(
      order.id,
      { ...body, amount: order.total, capture: true },
      { idempotencyKey: c.req.header('idempotency-key') },
    )
    return c.json(payment, 201)
  })

  app.post('/orders/:id/fulfillments', async (c) => {
    const parcel = await store.fulfillments.create(c.req.param('id'), await c.req.json<FulfilBody>(), {
      idempotencyKey: c.req.header('idempotency-key'),
    })
    return c.json(await store.fulfillments.ship(parcel.id), 201)
  })

  return app
}
