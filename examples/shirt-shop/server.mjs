// The shirt shop: one page where a shopper checks out a blue tee, and comes back later by email to
// find the address, the card (brand and last four only) and the order history still there. A plain
// Node HTTP server on the library and an embedded SQLite file. Run: npm run demo:web
//
// SHOP_DB: the SQLite file (default: shop.db beside this file); PORT: the port (default 3000; 0 picks
// a free one). It listens on 127.0.0.1 only.

import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'
import knex from 'knex'
import { CheckoutStoreError, createCheckoutStore } from '../../dist/index.js'

const file = process.env.SHOP_DB ?? fileURLToPath(new URL('./shop.db', import.meta.url))
const page = readFileSync(new URL('./page.html', import.meta.url))

const db = knex({
  client: 'better-sqlite3',
  connection: { filename: file },
  useNullAsDefault: true,
  pool: {
    afterCreate(conn, done) {
      conn.pragma('foreign_keys = ON')
      conn.pragma('journal_mode = WAL')
      done(null, conn)
    },
  },
})
const store = createCheckoutStore(db)
await store.migrate()

/** The shop's catalogue: one shirt in four sizes. Prices in cents. */
const SHIRT = { sku: 'TEE-BLUE', name: 'Blue tee', unitPrice: 1999, sizes: ['S', 'M', 'L', 'XL'] }
const SHIPPING = 500

/** Test tokens a payment provider's test mode hands out, with the card they stand for. */
const TEST_CARDS = {
  pm_card_visa: { brand: 'visa', last4: '4242' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444' },
}

async function checkout(body) {
  const card = TEST_CARDS[body.cardToken]
  if (!card) throw httpError(400, 'UNKNOWN_TEST_CARD', 'Pick one of the test cards.')
  if (!SHIRT.sizes.includes(body.size)) throw httpError(400, 'UNKNOWN_SIZE', 'Pick a size.')
  const address = {
    name: body.name,
    line1: body.line1,
    city: body.city,
    postalCode: body.postalCode,
    country: body.country,
  }
  // One transaction: a refused note must not leave a new customer or address behind.
  return store.transaction(async (tx) => {
    const customer =
      (await tx.customers.findByEmail(body.email)) ??
      (await tx.customers.create({ email: body.email, name: body.name, phone: body.phone || null }))
    const saved = customer.addresses.find(
      (a) =>
        a.line1 === address.line1 && a.postalCode === address.postalCode && a.country === address.country,
    )
    if (!saved) await tx.customers.addAddress(customer.id, { ...address, isDefaultShipping: true })
    await tx.customers.addPaymentMethod(customer.id, {
      provider: 'stripe',
      token: body.cardToken,
      ...card,
      expMonth: 12,
      expYear: 2030,
    })
    return tx.orders.create(
      {
        customerId: customer.id,
        currency: 'USD',
        items: [
          {
            sku: `${SHIRT.sku}-${body.size}`,
            name: SHIRT.name,
            attributes: { size: body.size, color: 'blue' },
            quantity: Number(body.quantity),
            unitPrice: SHIRT.unitPrice,
          },
        ],
        shippingAddress: address,
        billingAddress: address,
        shippingTotal: SHIPPING,
        note: body.note || null,
        payment: { provider: 'stripe', reference: `pi_test_${randomUUID()}`, ...card },
      },
      { idempotencyKey: body.checkoutId },
    )
  })
}

async function returningCustomer(email) {
  const customer = await store.customers.findByEmail(email)
  if (!customer) throw httpError(404, 'NOT_FOUND', 'No customer with that email.')
  const { items: orders } = await store.orders.list({ customerId: customer.id, limit: 20 })
  return {
    name: customer.name,
    email: customer.email,
    addresses: customer.addresses,
    cards: customer.paymentMethods.map(({ brand, last4, expMonth, expYear }) => ({
      brand,
      last4,
      expMonth,
      expYear,
    })),
    orders,
  }
}

function httpError(status, code, message) {
  return Object.assign(new Error(message), { status, code })
}

/** The library's coded errors become 4xx answers with the code and the fields at fault, never values. */
function errorResponse(error) {
  if (error instanceof CheckoutStoreError) {
    const status = { VALIDATION_FAILED: 400, CARD_DATA_REJECTED: 400, NOT_FOUND: 404 }[error.code] ?? 409
    return [status, { code: error.code, message: error.message, issues: error.issues ?? [] }]
  }
  if (error.status) return [error.status, { code: error.code, message: error.message, issues: [] }]
  console.error(error)
  return [500, { code: 'INTERNAL', message: 'Something went wrong.', issues: [] }]
}

async function readJson(req) {
  let size = 0
  const chunks = []
  for await (const chunk of req) {
    size += chunk.length
    if (size > 64 * 1024) throw httpError(413, 'TOO_LARGE', 'The request is too large.')
    chunks.push(chunk)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw httpError(400, 'BAD_JSON', 'The request is not JSON.')
  }
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const send = (status, body, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
    res.end(type === 'application/json' ? JSON.stringify(body) : body)
  }
  try {
    if (req.method === 'GET' && url.pathname === '/') return send(200, page, 'text/html; charset=utf-8')
    if (req.method === 'POST' && url.pathname === '/api/checkout')
      return send(201, await checkout(await readJson(req)))
    if (req.method === 'GET' && url.pathname === '/api/customer')
      return send(200, await returningCustomer(url.searchParams.get('email') ?? ''))
    return send(404, { code: 'NOT_FOUND', message: 'No such page.', issues: [] })
  } catch (error) {
    return send(...errorResponse(error))
  }
})

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`shirt shop on http://127.0.0.1:${server.address().port}`)
})

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close()
    db.destroy().then(() => process.exit(0))
  })
}
