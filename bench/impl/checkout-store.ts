import type { BenchDatabase } from '../databases.js'
import { mapConcurrent } from '../harness.js'
import type { BenchOrderInput, Implementation, PaymentFixture } from '../workload.js'
import { PARCEL, paymentOrderInput, TABLE_PREFIX, W7 } from '../workload.js'

// The built package, as a user imports it (`npm run bench` builds first), typed from the source so that
// type-checking does not need a build.
const PACKAGE: string = '../../dist/index.js'
const { createCheckoutStore } = (await import(PACKAGE)) as typeof import('../../src/index.js')

/*
 * (a) checkout-store, imported from the built package as a user would, over the shared Knex pool.
 * W5 uses the best path the API offers: orders.createMany, 1,000 orders per call (its maximum), each
 * call one transaction. The path before createMany, orders.create in a bounded-concurrency loop, is
 * measured beside it as a second row ({@link createOneByOneImport}).
 */

/** Orders per orders.createMany call: the most one call takes. */
export const IMPORT_BATCH = 1000

/** How many orders.create calls the one-by-one import keeps in flight: the pool is 10 on the servers. */
export function importConcurrency(db: BenchDatabase): number {
  return db.dialect === 'sqlite3' ? 1 : 8
}

/** Creates the checkout-store implementation. */
export function createCheckoutStoreImpl(db: BenchDatabase): Implementation {
  const store = createCheckoutStore(db.knex, { tablePrefix: TABLE_PREFIX })
  return {
    key: 'checkout-store',
    label: '(a) checkout-store',
    async createOrder(input) {
      return (await store.orders.create(input)).id
    },
    async getOrder(id) {
      return (await store.orders.get(id)).items.length
    },
    async listCustomerOrders(customerId, limit) {
      const page = await store.orders.list({ customerId, limit })
      return [page.items.length, page.items.reduce((sum, o) => sum + o.items.length, 0)]
    },
    async markPaid(id) {
      await store.orders.transition(id, 'paid')
    },
    async fulfilAndShip(orderId) {
      const parcel = await store.fulfillments.create(orderId)
      await store.fulfillments.ship(parcel.id, PARCEL)
    },
    async captureAndRefund(order) {
      await store.payments.capture(order.paymentId, { amount: W7.capture })
      await store.payments.refund(order.paymentId, {
        items: [{ lineId: order.lineId, quantity: W7.refundUnits }],
      })
    },
    async importOrders(inputs) {
      for (let start = 0; start < inputs.length; start += IMPORT_BATCH) {
        await store.orders.createMany(inputs.slice(start, start + IMPORT_BATCH))
      }
    },
  }
}

/**
 * W5 the way it was done before createMany: one orders.create per order, {@link importConcurrency} calls
 * in flight (on SQLite the store serialises its own write transactions, so one).
 */
export function createOneByOneImport(
  db: BenchDatabase,
): (inputs: readonly BenchOrderInput[]) => Promise<void> {
  const store = createCheckoutStore(db.knex, { tablePrefix: TABLE_PREFIX })
  const concurrency = importConcurrency(db)
  return async (inputs) => {
    await mapConcurrent(inputs, concurrency, (input) => store.orders.create(input))
  }
}

/**
 * Places `count` orders with orders.create, the input of each made just before its call, with
 * {@link importConcurrency} calls in flight: the RSS step (rss.ts).
 */
export async function createOrders(
  db: BenchDatabase,
  count: number,
  input: (index: number) => BenchOrderInput,
): Promise<void> {
  const store = createCheckoutStore(db.knex, { tablePrefix: TABLE_PREFIX })
  const indices = Array.from({ length: count }, (_, i) => i)
  await mapConcurrent(indices, importConcurrency(db), (i) => store.orders.create(input(i)))
}

/**
 * W7's orders, `count` of them, written by the library for every implementation alike so that all start
 * from identical rows: each placed (orders.createMany, {@link IMPORT_BATCH} per call) and authorized for
 * its total (payments.authorize, {@link importConcurrency} calls in flight).
 */
export async function preparePaymentOrders(db: BenchDatabase, count: number): Promise<PaymentFixture[]> {
  const store = createCheckoutStore(db.knex, { tablePrefix: TABLE_PREFIX })
  const orders: Array<{ id: string; total: number; lineId: string }> = []
  for (let start = 0; start < count; start += IMPORT_BATCH) {
    const batch = Array.from({ length: Math.min(IMPORT_BATCH, count - start) }, paymentOrderInput)
    for (const order of await store.orders.createMany(batch)) {
      const shirts = order.items[0]
      if (!shirts) throw new Error(`order ${order.id} has no lines`)
      orders.push({ id: order.id, total: order.total, lineId: shirts.id })
    }
  }
  const fixtures = new Map<string, PaymentFixture>()
  await mapConcurrent(orders, importConcurrency(db), async (order) => {
    const payment = await store.payments.authorize(order.id, {
      provider: 'stripe',
      reference: `pi_bench_w7_${order.id}`,
      amount: order.total,
    })
    fixtures.set(order.id, { orderId: order.id, paymentId: payment.id, lineId: order.lineId })
  })
  return orders.map((order) => fixtures.get(order.id) as PaymentFixture)
}

/** Drops the bench tables the library made in an earlier run, then creates them with store.migrate(). */
export async function migrateBenchSchema(db: BenchDatabase): Promise<string[]> {
  const store = createCheckoutStore(db.knex, { tablePrefix: TABLE_PREFIX })
  await store.rollback()
  return store.migrate()
}
