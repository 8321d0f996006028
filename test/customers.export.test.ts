import { beforeAll, expect, it } from 'vitest'
import {
  type CheckoutStore,
  type CustomerExport,
  createCheckoutStore,
  type OrderInput,
} from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { recordQueries } from './support/orders.js'

/*
 * customers.export: everything stored about one person, as plain JSON, in a fixed number of statements.
 */

const order = (who: { customerId?: string; email?: string }, note: string): OrderInput => ({
  ...who,
  currency: 'EUR',
  items: [
    { sku: 'TEE-BLUE-M', name: 'Blue tee', attributes: { size: 'M' }, quantity: 2, unitPrice: 1999 },
    { sku: 'CAP', name: 'Cap', quantity: 1, unitPrice: 900 },
  ],
  shippingAddress: {
    name: 'Mo Rivera',
    line1: '5 Elm St',
    city: 'Porto',
    postalCode: '4000-001',
    country: 'PT',
  },
  note,
})

/** Every Date anywhere in `value`. */
function dates(value: unknown): unknown[] {
  if (value instanceof Date) return [value]
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(dates)
  return []
}

/** `value` as JSON would carry it. */
const asJson = <T>(value: T): unknown => JSON.parse(JSON.stringify(value))

describeEachDatabase('customers.export', (db) => {
  let store: CheckoutStore

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('refuses an unknown or malformed id', async () => {
    await expect(store.customers.export('01900000-0000-7000-8000-000000000009')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      entity: 'customer',
    })
    await expect(store.customers.export(42 as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
  })

  it('holds the customer, addresses, cards without token, orders with lines and events, and guest orders', async () => {
    const mo = await store.customers.create({
      email: 'mo.first@example.pt',
      name: 'Mo Rivera',
      phone: '+351 21 000 0000',
      metadata: { tier: 'gold' },
    })
    const address = await store.customers.addAddress(mo.id, {
      name: 'Mo Rivera',
      line1: '5 Elm St',
      city: 'Porto',
      country: 'PT',
      isDefaultShipping: true,
    })
    await store.customers.addPaymentMethod(mo.id, {
      provider: 'stripe',
      token: 'pm_secret_token_123',
      brand: 'visa',
      last4: '4242',
      expMonth: 12,
      expYear: 2030,
      fingerprint: 'fp_card_987',
      isDefault: true,
    })
    const guestBefore = await store.orders.create(
      order({ email: 'Mo.First@example.pt' }, 'guest, first email'),
    )
    await store.customers.update(mo.id, { email: 'mo@example.pt' })
    const own = await store.orders.create(order({ customerId: mo.id }, 'own'))
    await store.orders.transition(own.id, 'paid', { actor: 'psp', note: 'captured' })
    const guestNow = await store.orders.create(order({ email: 'mo@example.pt' }, 'guest, current email'))
    const someoneElse = await store.orders.create(order({ email: 'not-mo@example.pt' }, 'other'))

    const data = await store.customers.export(mo.id)
    expect(dates(data)).toEqual([])
    expect(asJson(data)).toEqual(data)
    const customer = await store.customers.get(mo.id)
    const { addresses, paymentMethods, ...record } = customer
    expect(data.customer).toEqual(asJson(record))
    expect(data.customer).toMatchObject({ email: 'mo@example.pt', name: 'Mo Rivera', anonymizedAt: null })
    expect(data.previousEmails).toEqual([{ email: 'mo.first@example.pt', replacedAt: expect.any(String) }])
    expect(data.addresses).toEqual(asJson(addresses))
    expect(data.addresses.map((a) => a.id)).toEqual([address.id])
    expect(data.paymentMethods).toEqual([
      {
        id: paymentMethods[0]?.id,
        customerId: mo.id,
        provider: 'stripe',
        brand: 'visa',
        last4: '4242',
        expMonth: 12,
        expYear: 2030,
        isDefault: true,
        expired: false,
        version: paymentMethods[0]?.version,
        createdAt: paymentMethods[0]?.createdAt.toISOString(),
        updatedAt: paymentMethods[0]?.updatedAt.toISOString(),
      },
    ])
    expect(JSON.stringify(data)).not.toContain('pm_secret_token_123')
    expect(JSON.stringify(data)).not.toContain('fp_card_987')

    const full = async (id: string) =>
      asJson({
        ...(await store.orders.get(id)),
        events: await store.orders.events(id),
        payments: await store.payments.list(id),
        fulfillments: await store.fulfillments.list(id),
      })
    expect(data.orders).toEqual([await full(own.id)])
    expect(data.orders[0]?.events.map((e) => [e.type, e.to, e.note, e.actor])).toEqual([
      ['order_placed', 'pending', null, null],
      ['status_changed', 'paid', 'captured', 'psp'],
    ])
    expect(data.orders[0]?.items.map((i) => [i.sku, i.quantity, i.total])).toEqual([
      ['TEE-BLUE-M', 2, 3998],
      ['CAP', 1, 900],
    ])
    expect(data.guestOrders).toEqual([await full(guestBefore.id), await full(guestNow.id)])
    expect(JSON.stringify(data)).not.toContain(someoneElse.id)
  })

  it("holds each order's payments with their ledger and its fulfillments with their lines", async () => {
    const mo = await store.customers.create({ email: 'mo.ledger@example.com', name: 'Mo Rivera' })
    const placed = await store.orders.create(order({ customerId: mo.id }, 'ledger'))
    const sale = await store.payments.authorize(placed.id, {
      provider: 'stripe',
      reference: 'pi_export',
      amount: placed.total,
      capture: true,
    })
    const shirt = placed.items[0]?.id as string
    const parcel = await store.fulfillments.create(placed.id, {
      items: [{ lineId: shirt, quantity: 1 }],
      carrier: 'UPS',
    })
    await store.fulfillments.ship(parcel.id)
    const data = await store.customers.export(mo.id)
    const [exported] = data.orders
    expect(exported?.payments).toEqual(asJson(await store.payments.list(placed.id)))
    expect(exported?.payments[0]).toMatchObject({ id: sale.id, capturedAmount: placed.total })
    expect(exported?.fulfillments).toEqual(asJson(await store.fulfillments.list(placed.id)))
    expect(exported?.fulfillments[0]).toMatchObject({ id: parcel.id, status: 'shipped', carrier: 'UPS' })
  })

  it('reads in the same number of statements for 1 order and for 40', async () => {
    const lee = await store.customers.create({ email: 'lee@example.pt' })
    await store.orders.create(order({ customerId: lee.id }, 'one'))
    const one = await recordQueries(db().knex, () => store.customers.export(lee.id))
    await store.orders.createMany(
      Array.from({ length: 39 }, (_, i) =>
        order(i % 3 ? { customerId: lee.id } : { email: 'lee@example.pt' }, `${i}`),
      ),
    )
    const forty = await recordQueries(db().knex, () => store.customers.export(lee.id))
    expect(forty.result.orders.length + forty.result.guestOrders.length).toBe(40)
    expect(forty.result.orders.flatMap((o) => o.items)).toHaveLength(2 * forty.result.orders.length)
    // Seven for the customer and their orders, three for payments, fulfillments and parcel lines (one
    // more for the payments' ledgers when there are payments).
    expect(one.sql).toHaveLength(10)
    expect(forty.sql).toHaveLength(10)
    console.info(
      `[${db().name}] customers.export statements: ${one.sql.length} (1 order), ${forty.sql.length} (40 orders)`,
    )
  })

  it('after erasure holds only what the books keep', async () => {
    const kit = await store.customers.create({
      email: 'kit@example.pt',
      name: 'Kit Marlowe',
      phone: '+351 1',
    })
    await store.customers.addAddress(kit.id, {
      name: 'Kit Marlowe',
      line1: '1 Rua',
      city: 'Faro',
      country: 'PT',
    })
    await store.orders.create(order({ customerId: kit.id }, 'for Kit Marlowe'))
    await store.orders.create(order({ email: 'kit@example.pt' }, 'guest'))
    await store.customers.anonymize(kit.id, { force: true })
    const data: CustomerExport = await store.customers.export(kit.id)
    const text = JSON.stringify(data).toLowerCase()
    for (const secret of ['kit@example.pt', 'kit marlowe', '1 rua', 'mo rivera', '5 elm st']) {
      expect(text).not.toContain(secret)
    }
    expect(data.customer.email).toBe(`${kit.id}@anonymized.invalid`)
    expect(data.customer.anonymizedAt).toEqual(expect.any(String))
    expect([data.addresses, data.paymentMethods, data.previousEmails]).toEqual([[], [], []])
    expect([data.orders.length, data.guestOrders.length]).toEqual([1, 1])
    expect(data.orders[0]?.total).toBe(4898)
  })
})
