import { uuidv7 } from 'uuidv7'
import { beforeAll, expect, it } from 'vitest'
import {
  type CheckoutStore,
  CheckoutStoreError,
  createCheckoutStore,
  type Order,
  type OrderInput,
} from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { createCustomer, guestOrder, insideTransaction, item, recordQueries } from './support/orders.js'
import { countRows } from './support/rows.js'
import { separateStores } from './support/stores.js'

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Sq',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'gb',
}

async function failureOf(
  promise: Promise<unknown>,
): Promise<{ code: string; paths: string[]; error: CheckoutStoreError }> {
  try {
    await promise
  } catch (error) {
    if (!(error instanceof CheckoutStoreError)) throw error
    const issues = (error as { issues?: { path: string }[] }).issues ?? []
    return { code: error.code, paths: issues.map((i) => i.path), error }
  }
  throw new Error('expected the call to fail')
}

/** Three lines with distinct SKUs and prices. */
const lines = (n: number) => [
  item({ sku: `A-${n}`, quantity: 1, unitPrice: 100 + n }),
  item({ sku: `B-${n}`, attributes: null, quantity: 2, unitPrice: 250, metadata: { batch: String(n) } }),
  item({
    sku: `C-${n}`,
    attributes: { size: 'L', color: 'red' },
    quantity: 3,
    unitPrice: 999,
    productId: 'p',
  }),
]

/**
 * The statements createMany runs inside its transaction, as implemented: the read of the customers'
 * emails (share-locked, only when some input names a customer), one counter update, then one insert
 * per 1,000 rows of orders, of lines, of history events and of outbox events (for rows well under 2 MiB
 * per statement).
 */
// MySQL has no UPDATE … RETURNING: it reads the database clock with the customers, after taking the
// numbers, or in a statement of its own when no input names a customer. (PostgreSQL puts the four
// inserts in one statement only while they stay within the parameter limit: not at 1,000 orders.)
const createManyStatements = (orders: number, lines: number, readsCustomers: boolean, name: string): number =>
  (readsCustomers ? 1 : 0) +
  1 +
  (name === 'mysql' && !readsCustomers ? 1 : 0) +
  Math.ceil(lines / 1000) +
  3 * Math.ceil(orders / 1000)

describeEachDatabase('orders.createMany', (db, name) => {
  let store: CheckoutStore
  beforeAll(async () => {
    // Several pools on one file (the concurrency test): WAL, so a reader never makes a COMMIT busy.
    if (name === 'sqlite-file') await db().knex.raw('pragma journal_mode = WAL')
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('places guests and customers in input order, numbered on from create, as get() reads them', async () => {
    const ada = await createCustomer(store.customers, db().knex, 'Ada@Example.com')
    const bob = await createCustomer(store.customers, db().knex, 'bob@example.com')
    const before = await store.orders.create(guestOrder({ note: 'before' }))
    const inputs: OrderInput[] = [
      { customerId: ada.id, currency: 'USD', items: lines(0), shippingAddress: address, shippingTotal: 500 },
      guestOrder({ email: '  Guest@Example.COM ', items: lines(1), note: 'leave at the door' }),
      { customerId: bob.id, currency: 'EUR', items: lines(2), metadata: { source: 'legacy' } },
      {
        customerId: ada.id,
        email: 'gift@example.com',
        currency: 'JPY',
        items: lines(3),
        billingAddress: { ...address, company: 'Analytical Engines Ltd' },
        taxTotal: 320,
        discountTotal: 100,
        payment: { provider: 'stripe', reference: 'pi_3N', brand: 'visa', last4: '4242' },
      },
      { customerId: ada.id, currency: 'USD', items: [item()] },
    ]
    const orders = await store.orders.createMany(inputs)
    const after = await store.orders.create(guestOrder({ note: 'after' }))

    expect(orders.map((o) => o.number)).toEqual(inputs.map((_, i) => before.number + 1 + i))
    expect(after.number).toBe(before.number + inputs.length + 1)
    expect(orders.map((o) => [o.customerId, o.email, o.currency])).toEqual([
      [ada.id, 'Ada@Example.com', 'USD'],
      [null, 'Guest@Example.COM', 'USD'],
      [bob.id, 'bob@example.com', 'EUR'],
      [ada.id, 'gift@example.com', 'JPY'],
      [ada.id, 'Ada@Example.com', 'USD'],
    ])
    expect(orders[0]).toMatchObject({
      status: 'pending',
      version: 1,
      subtotal: 100 + 500 + 2997,
      total: 4097,
    })
    expect(orders[0]?.shippingAddress?.country).toBe('GB')
    expect(orders[3]).toMatchObject({ subtotal: 3600, total: 3600 + 320 - 100, note: null })
    expect(orders[3]?.payment).toEqual({
      provider: 'stripe',
      reference: 'pi_3N',
      brand: 'visa',
      last4: '4242',
    })
    expect(orders[2]?.items.map((i) => [i.sku, i.total, i.attributes, i.metadata])).toEqual([
      ['A-2', 102, { size: 'M' }, {}],
      ['B-2', 500, {}, { batch: '2' }],
      ['C-2', 2997, { size: 'L', color: 'red' }, {}],
    ])
    // What createMany returned is exactly what a read gives back, order by order, history included.
    for (const order of orders) {
      expect(await store.orders.get(order.id)).toEqual(order)
      expect((await store.orders.events(order.id)).map((e) => [e.type, e.to])).toEqual([
        ['order_placed', 'pending'],
      ])
    }
    // Creation order is input order: the newest first list reads them backwards.
    const listed = await store.orders.list({ customerId: ada.id })
    expect(listed.items.map((o) => o.id)).toEqual([orders[4], orders[3], orders[0]].map((o) => o?.id))
  })

  it('rejects a batch with invalid inputs, listing every issue under its index, and writes nothing', async () => {
    const before = await countRows(db().knex)
    const { code, paths } = await failureOf(
      store.orders.createMany([
        guestOrder(),
        guestOrder({ items: [item(), item({ quantity: 0 })] }),
        guestOrder(),
        guestOrder({ currency: 'XXX' }),
        guestOrder({ discountTotal: 1_000_000 }),
        { ...guestOrder(), coupon: 'X' } as OrderInput,
      ]),
    )
    expect(code).toBe('VALIDATION_FAILED')
    expect(paths).toEqual(['1.items.1.quantity', '3.currency', '4.discountTotal', '5'])
    expect(await countRows(db().knex)).toEqual(before)
  })

  it('rejects an empty batch, more than 1,000 orders and more than 10,000 lines in all', async () => {
    const before = await countRows(db().knex)
    const empty = await failureOf(store.orders.createMany([]))
    expect(empty.code).toBe('VALIDATION_FAILED')
    const tooMany = await failureOf(store.orders.createMany(Array.from({ length: 1001 }, () => guestOrder())))
    expect(tooMany).toMatchObject({ code: 'VALIDATION_FAILED', paths: [''] })
    const thousandLines = Array.from({ length: 1000 }, (_, i) => item({ sku: `S-${i}` }))
    const tooManyLines = await failureOf(
      store.orders.createMany(Array.from({ length: 11 }, () => guestOrder({ items: thousandLines }))),
    )
    expect(tooManyLines).toMatchObject({ code: 'VALIDATION_FAILED', paths: [''] })
    expect(tooManyLines.error.message).toContain('10,000')
    const notAList = await failureOf(store.orders.createMany(guestOrder() as unknown as OrderInput[]))
    expect(notAList.code).toBe('VALIDATION_FAILED')
    expect(await countRows(db().knex)).toEqual(before)
  })

  it('rejects card data in any input first, under its index, without echoing it', async () => {
    const before = await countRows(db().knex)
    const { code, paths, error } = await failureOf(
      store.orders.createMany([
        guestOrder({ currency: 'ZZZ' }),
        guestOrder(),
        guestOrder({ note: 'card 4242 4242 4242 4242' }),
        guestOrder({ items: [item({ metadata: { cvc: '123' } })] }),
      ]),
    )
    expect(code).toBe('CARD_DATA_REJECTED')
    expect(paths).toEqual(['2.note', '3.items.0.metadata.cvc'])
    expect(error.message).not.toContain('4242 4242')
    expect(await countRows(db().knex)).toEqual(before)
  })

  it('fails with NOT_FOUND naming an unknown customer and writes nothing, with or without an email', async () => {
    const ada = await createCustomer(store.customers, db().knex)
    const bob = await createCustomer(store.customers, db().knex)
    const ghost = uuidv7()
    const before = await countRows(db().knex)
    // Without an email the customers are read first.
    const read = await failureOf(
      store.orders.createMany([
        { customerId: ada.id, currency: 'USD', items: [item()] },
        { customerId: ghost, currency: 'USD', items: [item()] },
      ]),
    )
    expect(read.code).toBe('NOT_FOUND')
    expect(read.error).toMatchObject({ entity: 'customer', id: ghost })
    // With an email too the customers are read (and locked) first, and the first missing one is named.
    for (const customers of [[ghost], [ada.id, ghost, bob.id]]) {
      const viaForeignKey = await failureOf(
        store.orders.createMany([guestOrder(), ...customers.map((customerId) => guestOrder({ customerId }))]),
      )
      expect(viaForeignKey.code).toBe('NOT_FOUND')
      expect(viaForeignKey.error).toMatchObject({ entity: 'customer', id: ghost })
    }
    expect(await countRows(db().knex)).toEqual(before)
  })

  it('undoes only its own writes inside store.transaction, which goes on', async () => {
    const ada = await createCustomer(store.customers, db().knex)
    const before = await countRows(db().knex)
    const ghost = uuidv7()
    const placed = await store.transaction(async (tx) => {
      const failed = await failureOf(
        tx.orders.createMany([guestOrder({ customerId: ada.id }), guestOrder({ customerId: ghost })]),
      )
      expect(failed.error).toMatchObject({ code: 'NOT_FOUND', id: ghost })
      return tx.orders.createMany([guestOrder({ customerId: ada.id }), guestOrder()])
    })
    expect(placed.map((o) => o.number)).toEqual([before.orderNumber + 1, before.orderNumber + 2])
    expect(await countRows(db().knex)).toMatchObject({
      orders: before.orders + 2,
      orderLines: before.orderLines + 2,
      orderEvents: before.orderEvents + 2,
      orderNumber: before.orderNumber + 2,
    })
  })

  it('writes 1,000 orders of 3 lines in a fixed number of statements, in one transaction', async () => {
    const customers = [
      await createCustomer(store.customers, db().knex),
      await createCustomer(store.customers, db().knex),
    ]
    const before = await countRows(db().knex)
    // Every third a guest; the others name one of two customers and no email, so their emails are read.
    const inputs = Array.from(
      { length: 1000 },
      (_, i): OrderInput =>
        i % 3 === 0
          ? guestOrder({ items: lines(i) })
          : { customerId: customers[i % 2]?.id ?? null, currency: 'USD', items: lines(i) },
    )
    const { result: orders, sql } = await recordQueries(db().knex, () => store.orders.createMany(inputs))
    const inside = insideTransaction(sql)
    expect(inside).toHaveLength(createManyStatements(1000, 3000, true, name)) // 8
    expect(sql).toHaveLength(inside.length + 2) // BEGIN and COMMIT, nothing else
    expect(orders.map((o) => o.number)).toEqual(inputs.map((_, i) => before.orderNumber + 1 + i))
    expect(await countRows(db().knex)).toMatchObject({
      orders: before.orders + 1000,
      orderLines: before.orderLines + 3000,
      orderEvents: before.orderEvents + 1000,
      orderNumber: before.orderNumber + 1000,
    })
    expect(await store.orders.get(orders[999]?.id ?? '')).toEqual(orders[999])

    const guests = Array.from({ length: 1000 }, (_, i) => guestOrder({ items: lines(i) }))
    const withoutRead = await recordQueries(db().knex, () => store.orders.createMany(guests))
    expect(insideTransaction(withoutRead.sql)).toHaveLength(createManyStatements(1000, 3000, false, name)) // 7, MySQL 8
    console.info(
      `[${db().name}] createMany statements in transaction, 1,000 orders × 3 lines: ${inside.length} (customer read), ${insideTransaction(withoutRead.sql).length} (all emails given)`,
    )
  })

  it('gives two concurrent createMany calls and concurrent creates on separate pools unique, gapless numbers', async () => {
    const stores = separateStores(db(), name, 12)
    const before = await countRows(db().knex)
    const batch = (tag: string) => Array.from({ length: 150 }, (_, i) => guestOrder({ note: `${tag} ${i}` }))
    const [first, second, ...singles] = await Promise.all([
      (stores[0] as CheckoutStore).orders.createMany(batch('first')),
      (stores[1] as CheckoutStore).orders.createMany(batch('second')),
      ...stores.slice(2).map((s, i) => s.orders.create(guestOrder({ note: `single ${i}` }))),
    ])
    const batches = [first, second] as Order[][]
    // Each batch took one run of numbers, in input order.
    for (const orders of batches) {
      const start = orders[0]?.number ?? 0
      expect(orders.map((o) => o.number)).toEqual(orders.map((_, i) => start + i))
    }
    const numbers = [...batches.flat(), ...(singles as Order[])].map((o) => o.number).sort((a, b) => a - b)
    expect(numbers).toEqual(Array.from({ length: 310 }, (_, i) => before.orderNumber + 1 + i))
    expect(await countRows(db().knex)).toMatchObject({
      orders: before.orders + 310,
      orderNumber: before.orderNumber + 310,
    })
  })
})
