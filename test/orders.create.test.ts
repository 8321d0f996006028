import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, CheckoutStoreError, createCheckoutStore, type OrderInput } from '../src/index.js'
import { detectDialect } from '../src/sql/dialect.js'
import { toDbDate } from '../src/sql/values.js'
import { describeEachDatabase } from './support/databases.js'
import {
  createCustomer,
  guestOrder,
  insideTransaction,
  item,
  orderTableState,
  recordQueries,
  T,
} from './support/orders.js'

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Sq',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'gb',
}

async function codeOf(
  promise: Promise<unknown>,
): Promise<{ code: string; issues?: unknown; error: unknown }> {
  try {
    await promise
  } catch (error) {
    if (error instanceof CheckoutStoreError)
      return { code: error.code, issues: (error as { issues?: unknown }).issues, error }
    throw error
  }
  throw new Error('expected the call to fail')
}

describeEachDatabase('orders.create', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('places a pending order with computed totals, snapshots and the customer email', async () => {
    const customer = await createCustomer(store.customers, db().knex, 'Ada@Example.com')
    const order = await store.orders.create({
      customerId: customer.id,
      currency: 'USD',
      items: [
        item({ attributes: { size: 'M', color: 'blue' } }),
        item({
          sku: 'MUG',
          name: 'Mug ☕ 𝄞',
          attributes: null,
          quantity: 1,
          unitPrice: 850,
          productId: 'p1',
          metadata: { a: 'b' },
        }),
      ],
      shippingAddress: address,
      billingAddress: { ...address, company: 'Analytical Engines Ltd' },
      shippingTotal: 500,
      taxTotal: 320,
      discountTotal: 100,
      payment: { provider: 'stripe', reference: 'pi_3N', brand: 'visa', last4: '4242' },
      note: 'leave at the door',
    })
    expect(order).toMatchObject({
      status: 'pending',
      version: 1,
      customerId: customer.id,
      email: 'Ada@Example.com',
      currency: 'USD',
      subtotal: 3998 + 850,
      shippingTotal: 500,
      taxTotal: 320,
      discountTotal: 100,
      total: 3998 + 850 + 500 + 320 - 100,
      payment: { provider: 'stripe', reference: 'pi_3N', brand: 'visa', last4: '4242' },
      note: 'leave at the door',
      metadata: {},
    })
    expect(order.shippingAddress).toEqual({
      name: 'Ada Lovelace',
      company: null,
      line1: '12 St James Sq',
      line2: null,
      city: 'London',
      region: null,
      postalCode: 'SW1Y 4JH',
      country: 'GB',
      phone: null,
    })
    expect(order.billingAddress?.company).toBe('Analytical Engines Ltd')
    expect(order.items).toHaveLength(2)
    expect(order.items[0]).toMatchObject({ sku: 'TEE-BLUE-M', quantity: 2, unitPrice: 1999, total: 3998 })
    expect(order.items[0]?.attributes).toEqual({ size: 'M', color: 'blue' })
    expect(order.items[1]).toMatchObject({
      name: 'Mug ☕ 𝄞',
      attributes: {},
      productId: 'p1',
      variantId: null,
      metadata: { a: 'b' },
    })
    expect(new Set(order.items.map((i) => i.id)).size).toBe(2)
    expect(order.createdAt).toBeInstanceOf(Date)
    // What create returned is exactly what a read gives back.
    expect(await store.orders.get(order.id)).toEqual(order)
  })

  it('takes a guest email, or an explicit email over the customer one', async () => {
    const guest = await store.orders.create(guestOrder({ email: '  Guest@Example.COM ' }))
    expect(guest.customerId).toBeNull()
    expect(guest.email).toBe('Guest@Example.COM')
    const customer = await createCustomer(store.customers, db().knex)
    const other = await store.orders.create(
      guestOrder({ customerId: customer.id, email: 'gift@example.com' }),
    )
    expect(other).toMatchObject({ customerId: customer.id, email: 'gift@example.com' })
    const row = await db().knex(T.orders).where({ id: guest.id }).first()
    expect(row.email_normalized).toBe('guest@example.com')
  })

  it('takes a customer whose id happens to hold a Luhn-valid digit run', async () => {
    const id = '01a20ab0-726c-7a8a-a515-78663379173c'
    await db()
      .knex(T.customers)
      .insert({
        id,
        email: 'luhn@example.com',
        email_normalized: 'luhn@example.com',
        version: 1,
        created_at: toDbDate(detectDialect(db().knex), new Date()),
        updated_at: toDbDate(detectDialect(db().knex), new Date()),
      })
    const order = await store.orders.create({ customerId: id, currency: 'USD', items: [item()] })
    expect(order).toMatchObject({ customerId: id, email: 'luhn@example.com' })
    expect((await store.orders.list({ customerId: id })).items.map((o) => o.id)).toEqual([order.id])
  })

  it('fails with NOT_FOUND for an unknown customer and writes nothing, with or without an email', async () => {
    const before = await orderTableState(db().knex)
    const viaRead = await codeOf(
      store.orders.create({ customerId: 'nope', currency: 'USD', items: [item()] }),
    )
    expect(viaRead.code).toBe('NOT_FOUND')
    const viaForeignKey = await codeOf(store.orders.create(guestOrder({ customerId: 'nope' })))
    expect(viaForeignKey.code).toBe('NOT_FOUND')
    expect(viaForeignKey.error).toMatchObject({ entity: 'customer', id: 'nope' })
    expect(await orderTableState(db().knex)).toEqual(before)
  })

  it.each([
    ['withdrawn currency', { currency: 'hrk' }, 'currency'],
    ['unknown currency', { currency: 'XXX' }, 'currency'],
    ['non-integer price', { items: [item({ unitPrice: 19.99 })] }, 'items.0.unitPrice'],
    ['negative price', { items: [item({ unitPrice: -1 })] }, 'items.0.unitPrice'],
    ['zero quantity', { items: [item({ quantity: 0 })] }, 'items.0.quantity'],
    ['unsafe price', { items: [item({ unitPrice: 2 ** 53 })] }, 'items.0.unitPrice'],
    ['no lines', { items: [] }, 'items'],
    ['guest without email', { email: null }, 'email'],
    ['discount below zero', { discountTotal: 4000 }, 'discountTotal'],
    ['negative shipping', { shippingTotal: -5 }, 'shippingTotal'],
    ['line total past MAX_SAFE_INTEGER', { items: [item({ quantity: 2, unitPrice: 2 ** 52 })] }, 'items.0'],
    [
      'subtotal past MAX_SAFE_INTEGER',
      { items: [item({ quantity: 1, unitPrice: 2 ** 52 }), item({ quantity: 1, unitPrice: 2 ** 52 })] },
      'subtotal',
    ],
    [
      'total past MAX_SAFE_INTEGER',
      { items: [item({ quantity: 1, unitPrice: 2 ** 53 - 1 })], taxTotal: 1 },
      'total',
    ],
    ['unknown field', { coupon: 'X' }, ''],
  ] as [string, Record<string, unknown>, string][])(
    'rejects %s with VALIDATION_FAILED and writes nothing',
    async (_, patch, path) => {
      const before = await orderTableState(db().knex)
      const { code, issues } = await codeOf(store.orders.create({ ...guestOrder(), ...patch } as OrderInput))
      expect(code).toBe('VALIDATION_FAILED')
      expect((issues as { path: string }[]).map((i) => i.path)).toContain(path)
      expect(await orderTableState(db().knex)).toEqual(before)
    },
  )

  it('rejects card data anywhere in the input before anything else', async () => {
    const before = await orderTableState(db().knex)
    const { code, error } = await codeOf(
      store.orders.create(
        guestOrder({ currency: 'ZZZ', note: 'card 4242 4242 4242 4242', metadata: { cvc: '123' } }),
      ),
    )
    expect(code).toBe('CARD_DATA_REJECTED')
    expect(String((error as Error).message)).not.toContain('4242 4242')
    expect(await orderTableState(db().knex)).toEqual(before)
  })

  it('stores 1000 lines in one statement, in order', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => item({ sku: `SKU-${i}`, quantity: 1, unitPrice: i }))
    const { result: order, sql } = await recordQueries(db().knex, () =>
      store.orders.create(guestOrder({ items })),
    )
    expect(sql.filter((s) => s.includes(T.orderLines))).toHaveLength(1)
    expect(order.subtotal).toBe((999 * 1000) / 2)
    const read = await store.orders.get(order.id)
    expect(read.items.map((i) => i.sku)).toEqual(items.map((i) => i.sku))
    expect(read).toEqual(order)
  })

  it('runs 6 statements in its transaction for a customer (with or without an email) and 5 for a guest (6 on MySQL), 3 and 2 on PostgreSQL', async () => {
    // MySQL has no UPDATE … RETURNING: the database clock is read with the customer, after the counter,
    // or for a guest in a statement of its own. PostgreSQL inserts the order, its lines, its history
    // event and its outbox event in one statement.
    const name = db().name
    const clock = name === 'mysql' ? 1 : 0
    const inserts = name === 'postgresql' ? 1 : 4
    const customer = await createCustomer(store.customers, db().knex)
    const input = { customerId: customer.id, currency: 'EUR', items: [item(), item(), item()] }
    const withRead = await recordQueries(db().knex, () => store.orders.create(input))
    const inside = insideTransaction(withRead.sql)
    // Customer read (share-locked), counter, order, lines, history event, outbox event.
    expect(inside).toHaveLength(2 + inserts)
    expect(withRead.sql.length).toBe(inside.length + 2) // nothing outside BEGIN … COMMIT
    if (name === 'postgresql') {
      const insert = inside.at(-1) as string
      for (const table of [T.orders, T.orderLines, T.orderEvents, 'checkout_outbox'])
        expect(insert).toContain(table)
    }
    // The customer is read, share-locked, even when the input gives an email: erasure must win the race.
    const withEmail = await recordQueries(db().knex, () =>
      store.orders.create({ ...input, email: 'x@example.com' }),
    )
    expect(insideTransaction(withEmail.sql)).toHaveLength(2 + inserts)
    const guest = await recordQueries(db().knex, () =>
      store.orders.create({ currency: 'EUR', items: [item()], email: 'x@example.com' }),
    )
    expect(insideTransaction(guest.sql)).toHaveLength(1 + clock + inserts)
    console.info(
      `[${name}] create statements in transaction: ${inside.length} (customer), ${1 + clock + inserts} (guest)`,
    )
  })
})
