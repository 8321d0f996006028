import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import knex, { type Knex } from 'knex'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Order, Page } from '../src/index.js'

type ErrorBody = { code: string; issues: Array<{ dottedPath: string; path: unknown; message: string }> }

/*
 * The Express example, on the built package (npm test builds first), booted on a free loopback port and
 * driven over real HTTP as a shop's front end would.
 */

// Plain strings, so type-checking needs neither a build nor the example's types.
const APP: string = '../examples/express/app.mjs'
const PACKAGE: string = 'checkout-store'

const checkout = (email: string) => ({
  customer: { email, name: 'Ada Lovelace', phone: '+44 20 7946 0958' },
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 St James Sq',
    city: 'London',
    postalCode: 'SW1Y 4JH',
    country: 'gb',
  },
  paymentMethod: {
    provider: 'stripe',
    token: 'pm_1Q2w3E',
    brand: 'visa',
    last4: '4242',
    expMonth: 12,
    expYear: 2030,
  },
  items: [{ sku: 'TEE-BLUE-M', quantity: 1 }],
})

describe('examples/express: the checkout server', () => {
  let db: Knex
  let server: Server
  let base: string
  beforeAll(async () => {
    const { createCheckoutStore } = (await import(PACKAGE)) as typeof import('../src/index.js')
    const { createApp } = (await import(APP)) as {
      createApp(store: unknown): { listen(...args: unknown[]): Server }
    }
    db = knex({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
      pool: {
        max: 1,
        afterCreate(
          conn: { pragma(sql: string): unknown },
          done: (err: Error | null, conn: unknown) => void,
        ) {
          conn.pragma('foreign_keys = ON')
          done(null, conn)
        },
      },
    })
    const store = createCheckoutStore(db)
    await store.migrate()
    server = await new Promise<Server>((resolve) => {
      const listening: Server = createApp(store).listen(0, '127.0.0.1', () => resolve(listening))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve))
    await db.destroy()
  })

  const post = (body: unknown, key?: string) =>
    fetch(`${base}/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    })

  it('checks out a new customer, and replays the same request with the same key', async () => {
    const first = await post(checkout('ada@example.com'), 'checkout-a1')
    expect(first.status).toBe(201)
    const order = (await first.json()) as Order
    expect(order).toMatchObject({
      status: 'pending',
      currency: 'USD',
      email: 'ada@example.com',
      items: [{ sku: 'TEE-BLUE-M', attributes: { size: 'M', color: 'blue' }, quantity: 1, unitPrice: 1999 }],
      total: 2499,
      shippingAddress: { country: 'GB', city: 'London' },
    })
    const again = await post(checkout('ada@example.com'), 'checkout-a1')
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual(order)

    const changed = await post(
      { ...checkout('ada@example.com'), items: [{ sku: 'TEE-BLUE-L', quantity: 1 }] },
      'checkout-a1',
    )
    expect(changed.status).toBe(422)
    expect(await changed.text()).not.toContain(order.id)

    // The returning customer is found, not duplicated; their address and card are not saved twice.
    const second = await post(checkout('ADA@example.com'), 'checkout-a2')
    expect(second.status).toBe(201)
    const secondOrder = (await second.json()) as Order
    expect(secondOrder.customerId).toBe(order.customerId)
    expect(await db('checkout_customers').count({ n: '*' })).toEqual([{ n: 1 }])
    expect(await db('checkout_addresses').count({ n: '*' })).toEqual([{ n: 1 }])
    expect(await db('checkout_payment_methods').count({ n: '*' })).toEqual([{ n: 1 }])

    const list = await fetch(`${base}/customers/${order.customerId}/orders?limit=10`)
    expect(list.status).toBe(200)
    expect(((await list.json()) as Page<Order>).items.map((o) => o.id)).toEqual([secondOrder.id, order.id])
  })

  it('takes the payment and ships a parcel, and the order follows', async () => {
    const placed = (await (await post(checkout('ship@example.com'), 'checkout-s1')).json()) as Order
    const call = (path: string, body: unknown, key: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      })
    const paid = await call(`/orders/${placed.id}/pay`, { provider: 'stripe', reference: 'pi_3N' }, 'pay-g1')
    expect(paid.status).toBe(201)
    expect(await paid.json()).toMatchObject({ orderId: placed.id, amount: 2499, capturedAmount: 2499 })
    const again = await call(`/orders/${placed.id}/pay`, { provider: 'stripe', reference: 'pi_3N' }, 'pay-g1')
    expect(again.status).toBe(201)
    const parcel = await call(`/orders/${placed.id}/fulfillments`, { carrier: 'UPS' }, 'ship-g1')
    expect(parcel.status).toBe(201)
    expect(await parcel.json()).toMatchObject({ status: 'shipped', carrier: 'UPS' })
    const list = await fetch(`${base}/customers/${placed.customerId}/orders`)
    expect(((await list.json()) as Page<Order>).items[0]).toMatchObject({
      id: placed.id,
      status: 'shipped',
      paymentStatus: 'paid',
      fulfillmentStatus: 'fulfilled',
    })
    expect(await db('checkout_payments').count({ n: '*' })).toEqual([{ n: 1 }])
  })

  it('refuses a card number in any field with 400, never repeating it, and stores nothing', async () => {
    const body = checkout('grace@example.com')
    body.shippingAddress.line1 = '4111 1111 1111 1111'
    const response = await post(body, 'checkout-g1')
    expect(response.status).toBe(400)
    const text = await response.text()
    expect(JSON.parse(text)).toMatchObject({
      code: 'CARD_DATA_REJECTED',
      issues: [{ dottedPath: 'shippingAddress.line1', path: ['shippingAddress', 'line1'] }],
    })
    expect(text).not.toMatch(/4111/)
    expect(await db('checkout_customers').where({ email_normalized: 'grace@example.com' })).toEqual([])
  })

  it('reports every problem of a body at once with 400', async () => {
    const response = await post({ customer: { email: 'nope' }, shippingAddress: { name: 'A' }, items: [] })
    expect(response.status).toBe(400)
    const { code, issues } = (await response.json()) as ErrorBody
    expect(code).toBe('VALIDATION_FAILED')
    expect(issues.map((i) => i.dottedPath)).toEqual([
      'customer.email',
      'shippingAddress.line1',
      'shippingAddress.city',
      'shippingAddress.country',
      'paymentMethod',
    ])
    const unknownSku = await post({ ...checkout('lin@example.com'), items: [{ sku: 'NOPE', quantity: 1 }] })
    expect(unknownSku.status).toBe(400)
    const badQuantity = await post({
      ...checkout('lin@example.com'),
      items: [{ sku: 'TEE-BLUE-M', quantity: 0 }],
    })
    expect(await badQuantity.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'items.0.quantity' }],
    })
    expect(await db('checkout_customers').where({ email_normalized: 'lin@example.com' })).toEqual([])
  })

  it('answers 404 for an unknown customer and 400 with the store message for a bad query', async () => {
    const missing = await fetch(`${base}/customers/0190c2a4-0000-7000-8000-000000000000/orders`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND' })
    const [customer] = await db('checkout_customers').select('id')
    const badLimit = await fetch(`${base}/customers/${customer.id}/orders?limit=abc`)
    expect(badLimit.status).toBe(400)
    expect(await badLimit.json()).toMatchObject({
      issues: [{ path: 'limit', message: 'must be an integer from 1 to 100' }],
    })
    const badStatus = await fetch(`${base}/customers/${customer.id}/orders?status=bogus`)
    expect(((await badStatus.json()) as ErrorBody).issues[0]?.message).toContain('pending, paid, shipped')
  })
})
