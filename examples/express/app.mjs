// An Express 5 checkout server over checkout-store. Everything about input rules, error responses and
// finding the returning customer comes from the library: this file only wires routes to it.
import { combineSchemas, isCheckoutStoreError, schemas, ValidationError } from 'checkout-store'
import express from 'express'

/** The shop's catalogue: prices come from the server, never from the request. */
const CATALOGUE = new Map([
  ['TEE-BLUE-M', { name: 'Blue tee', attributes: { size: 'M', color: 'blue' }, unitPrice: 1999 }],
  ['TEE-BLUE-L', { name: 'Blue tee', attributes: { size: 'L', color: 'blue' }, unitPrice: 1999 }],
])
const SHIPPING = 500

/** POST /checkout's body: contact details, where to ship, the card's provider token, and the cart. */
const checkoutBody = combineSchemas({
  customer: schemas.customerInput,
  shippingAddress: schemas.addressInput,
  paymentMethod: schemas.paymentMethodInput,
})

/** The cart's lines, priced from the catalogue; the store checks the quantities. */
function orderItems(cart) {
  if (!Array.isArray(cart) || cart.length === 0) {
    throw new ValidationError([{ path: 'items', message: 'must be a list of { sku, quantity }' }])
  }
  const unknown = cart.flatMap((line, i) =>
    CATALOGUE.has(line?.sku) ? [] : [{ path: `items.${i}.sku`, message: 'is not in the catalogue' }],
  )
  if (unknown.length > 0) throw new ValidationError(unknown)
  return cart.map((line) => ({ sku: line.sku, ...CATALOGUE.get(line.sku), quantity: line.quantity }))
}

/**
 * The app over a store (already migrated).
 *
 * @param {import('checkout-store').CheckoutStore} store
 */
export function createApp(store) {
  const app = express()
  app.use(express.json({ limit: '100kb' }))

  app.post('/checkout', async (req, res) => {
    // The whole body at once: card data first, then every field of every part, paths from the root.
    const body = checkoutBody['~standard'].validate(req.body)
    if (body.issues) {
      res.status(400).json({ code: body.issues[0].code, issues: body.issues })
      return
    }
    const { customer, shippingAddress, paymentMethod } = body.value
    const items = orderItems(req.body.items)
    // One transaction per request: a failure anywhere leaves no customer, address or card behind.
    const order = await store.transaction(async (tx) => {
      const { customer: buyer } = await tx.customers.findOrCreate(customer)
      const { isDefaultShipping: _s, isDefaultBilling: _b, ...address } = shippingAddress
      await tx.customers.addAddress(buyer.id, { ...address, isDefaultShipping: true })
      await tx.customers.addPaymentMethod(buyer.id, paymentMethod)
      return tx.orders.create(
        { customerId: buyer.id, currency: 'USD', items, shippingAddress: address, shippingTotal: SHIPPING },
        { idempotencyKey: req.get('Idempotency-Key') },
      )
    })
    res.status(order.replayed ? 200 : 201).json(order)
  })

  app.get('/customers/:id/orders', async (req, res) => {
    const customer = await store.customers.get(req.params.id)
    const { limit, cursor, status } = req.query
    const page = await store.orders.list({
      customerId: customer.id,
      limit: limit === undefined ? undefined : Number(limit),
      cursor,
      status,
    })
    res.json(page)
  })

  // The provider reported the whole order paid (a webhook, say): a sale, authorized and captured at once.
  app.post('/orders/:id/pay', async (req, res) => {
    const order = await store.orders.get(req.params.id)
    const { provider, reference } = req.body ?? {}
    const payment = await store.payments.authorize(
      order.id,
      { provider, reference, amount: order.total, capture: true },
      { idempotencyKey: req.get('Idempotency-Key') },
    )
    res.status(201).json(payment)
  })

  // A parcel left the warehouse: its units (default: every unit not yet shipped), then shipped.
  app.post('/orders/:id/fulfillments', async (req, res) => {
    const parcel = await store.fulfillments.create(req.params.id, req.body ?? {}, {
      idempotencyKey: req.get('Idempotency-Key'),
    })
    res.status(201).json(await store.fulfillments.ship(parcel.id))
  })

  // Every error the library throws on purpose knows its HTTP status; its message never holds input.
  app.use((error, _req, res, next) => {
    if (!isCheckoutStoreError(error)) {
      next(error)
      return
    }
    const issues = 'issues' in error ? error.issues : undefined
    res.status(error.httpStatus).json({ code: error.code, message: error.message, issues })
  })
  return app
}
