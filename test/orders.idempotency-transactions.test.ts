import type { Knex } from 'knex'
import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, DatabaseError, type Order } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, item, orderTableState, T } from './support/orders.js'
import { otherProcessPool, separateStores } from './support/stores.js'

const RACERS = 20

/*
 * Racers with one idempotency key whose create runs inside a transaction: the store's own
 * (store.transaction) or the host's (a store bound to a Knex transaction). Under MariaDB's REPEATABLE
 * READ the loser's re-read after the unique violation must not stay in its old snapshot.
 */
describeEachDatabase('orders.idempotency inside transactions', (db, name) => {
  let store: CheckoutStore
  let stores: CheckoutStore[]
  let pools: Knex[]
  beforeAll(async () => {
    // Several pools writing one file: WAL, so a reader never makes a COMMIT busy.
    if (name === 'sqlite-file') await db().knex.raw('pragma journal_mode = WAL')
    store = createCheckoutStore(db().knex)
    await store.migrate()
    stores = separateStores(db(), name, RACERS)
    pools = Array.from({ length: RACERS }, () =>
      name === 'sqlite-memory' ? db().knex : db().connect(otherProcessPool(name)),
    )
  })

  const expectOneOrder = async (results: PromiseSettledResult<Order>[], before: { orders: number }) => {
    const rejected = results.filter((r) => r.status === 'rejected').map((r) => String(r.reason))
    expect(rejected).toEqual([])
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<Order>).value.id))
    expect(ids.size).toBe(1)
    expect((await orderTableState(db().knex)).orders).toBe(before.orders + 1)
  }

  it(`gives all ${RACERS} racers inside store.transaction on separate pools the one order`, async () => {
    const before = await orderTableState(db().knex)
    const input = guestOrder({ items: [item(), item({ sku: 'B' })] })
    const results = await Promise.allSettled(
      stores.map((s) =>
        s.transaction(async (tx) => {
          // A read first, as a host's transaction would do: on MariaDB it fixes the snapshot.
          await tx.trx(T.orders).count({ n: '*' })
          return tx.orders.create(input, { idempotencyKey: 'in-store-transaction' })
        }),
      ),
    )
    await expectOneOrder(results, before)
  })

  it(`gives all ${RACERS} racers inside a host transaction on separate pools the one order`, async () => {
    const before = await orderTableState(db().knex)
    const input = guestOrder({ items: [item({ quantity: 3 })] })
    const results = await Promise.allSettled(
      pools.map((pool) =>
        hostTransaction(pool, async (trx) => {
          await trx(T.orders).count({ n: '*' })
          return createCheckoutStore(trx).orders.create(input, { idempotencyKey: 'in-host-transaction' })
        }),
      ),
    )
    await expectOneOrder(results, before)
    const keys = await db().knex(T.idempotencyKeys).where({ key: 'in-host-transaction' })
    expect(keys).toHaveLength(1)
  })
})

/**
 * A host's transaction. On a SQLite file, writers on separate pools of one process cannot wait for each
 * other (better-sqlite3 waits synchronously), so the host retries its transaction on SQLITE_BUSY, as a
 * host sharing a file between pools must; the servers never need it.
 */
async function hostTransaction<T>(pool: Knex, fn: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await pool.transaction(fn)
    } catch (error) {
      const busy = error instanceof DatabaseError && error.driverCode.startsWith('SQLITE_BUSY')
      if (!busy || attempt >= 200) throw error
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 10))
    }
  }
}
