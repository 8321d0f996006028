import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { createCheckoutStore } from 'checkout-store'
import type { Knex } from 'knex'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp as createFastifyApp } from '../examples/fastify/app.js'
import { createApp as createHonoApp } from '../examples/hono/app.js'
import { createApp as createNestApp } from '../examples/nestjs/app.js'
import { createTestDatabase, type DatabaseName } from './support/databases.js'

/*
 * Each framework example, booted on a free loopback port over its own Knex instance and driven over real
 * HTTP as a shop's front end would: a checkout with an Idempotency-Key, its replay, payment, a parcel, a
 * card number in a field, an unknown id. The examples share the three databases between them.
 */

interface Booted {
  readonly url: string
  close(): Promise<void>
}

const EXAMPLES: ReadonlyArray<{ name: string; database: DatabaseName; boot(db: Knex): Promise<Booted> }> = [
  {
    name: 'Fastify 5',
    database: 'postgresql',
    async boot(db) {
      const app = createFastifyApp(db)
      const url = await app.listen({ host: '127.0.0.1', port: 0 })
      return { url, close: () => app.close() }
    },
  },
  {
    name: 'Hono',
    database: 'mysql',
    async boot(db) {
      const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
        const s = serve({ fetch: createHonoApp(db).fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
      })
      const { port } = server.address() as AddressInfo
      return {
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
      }
    },
  },
  {
    name: 'NestJS 11',
    database: 'sqlite-file',
    async boot(db) {
      const app = await createNestApp(db)
      await app.listen(0, '127.0.0.1')
      return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() }
    },
  },
]

const CARD = '4242 4242 4242 4242'

const checkoutBody = (note?: string) => ({
  email: 'Ada@Example.com',
  name: 'Ada Lovelace',
  phone: '+44 20 7946 0958',
  shippingAddress: {
    name: 'Ada Lovelace',
    line1: '12 St James Sq',
    city: 'London',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  },
  paymentMethod: {
    provider: 'stripe',
    token: 'pm_1Q2w3E',
    brand: 'visa',
    last4: '4242',
    expMonth: 12,
    expYear: 2030,
  },
  items: [{ sku: 'TEE-BLUE-M', name: 'Blue tee', attributes: { size: 'M' }, quantity: 2, unitPrice: 1999 }],
  shippingTotal: 500,
  ...(note === undefined ? {} : { note }),
})

for (const example of EXAMPLES) {
  describe(`example: ${example.name} on ${example.database}`, () => {
    let database: Awaited<ReturnType<typeof createTestDatabase>>
    let booted: Booted

    const call = async (method: string, path: string, body?: unknown, key?: string) => {
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      if (key) headers['idempotency-key'] = key
      const response = await fetch(`${booted.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await response.text()
      // biome-ignore lint/suspicious/noExplicitAny: a JSON answer, read field by field by the assertions
      return { status: response.status, text, json: JSON.parse(text) as any }
    }

    beforeAll(async () => {
      database = await createTestDatabase(example.database)
      await createCheckoutStore(database.knex).migrate()
      booted = await example.boot(database.knex)
    })
    afterAll(async () => {
      await booted?.close()
      await database?.destroy()
    })

    it('checks out, replays the same key, takes the payment and ships a parcel', async () => {
      const placed = await call('POST', '/checkout', checkoutBody(), 'checkout-1')
      expect(placed.status).toBe(201)
      expect(placed.json).toMatchObject({ number: 1001, status: 'pending', total: 4498, currency: 'USD' })
      expect(placed.json.items[0]).toMatchObject({
        sku: 'TEE-BLUE-M',
        attributes: { size: 'M' },
        quantity: 2,
      })

      const replay = await call('POST', '/checkout', checkoutBody(), 'checkout-1')
      expect(replay.status).toBe(201)
      expect(replay.json.id).toBe(placed.json.id)

      const paid = await call(
        'POST',
        `/orders/${placed.json.id}/pay`,
        { provider: 'stripe', reference: 'pi_3N' },
        'pay-1',
      )
      expect(paid.status).toBe(201)
      expect(paid.json).toMatchObject({ orderId: placed.json.id, amount: 4498, capturedAmount: 4498 })

      const parcel = await call(
        'POST',
        `/orders/${placed.json.id}/fulfillments`,
        { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' },
        'ship-1',
      )
      expect(parcel.status).toBe(201)
      expect(parcel.json).toMatchObject({ status: 'shipped', trackingNumber: '1Z999AA10123456784' })

      const page = await call('GET', `/customers/${placed.json.customerId}/orders`)
      expect(page.status).toBe(200)
      expect(page.json.items).toHaveLength(1)
      expect(page.json.items[0]).toMatchObject({
        id: placed.json.id,
        status: 'shipped',
        paymentStatus: 'paid',
        fulfillmentStatus: 'fulfilled',
      })
    })

    it('answers 400 for a card number in a field, without the number, and stores nothing', async () => {
      const refused = await call('POST', '/checkout', checkoutBody(`card ${CARD} exp 12/30`), 'checkout-2')
      expect(refused.status).toBe(400)
      expect(refused.json.code).toBe('CARD_DATA_REJECTED')
      expect(refused.text.replace(/\D/g, '')).not.toContain(CARD.replace(/\D/g, ''))
      const orders = await database.knex('checkout_orders').count({ n: '*' })
      expect(Number(orders[0]?.n)).toBe(1)
    })

    it('answers 404 with NOT_FOUND for an unknown id', async () => {
      const missing = await call('GET', '/customers/01900000-0000-7000-8000-000000000000/orders')
      expect(missing.status).toBe(404)
      expect(missing.json.code).toBe('NOT_FOUND')
    })
  })
}
