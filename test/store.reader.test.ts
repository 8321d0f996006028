import knex, { type Knex } from 'knex'
import { expect, it } from 'vitest'
import { createCheckoutStore, type OrderInput } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'

/*
 * The reader option on a single server: checked when the store is made, and reads through it never miss
 * the store's writes. Replicas themselves are tested by the scale-out suite (test/scale-out).
 */

const order: OrderInput = {
  email: 'reader@example.com',
  currency: 'EUR',
  items: [{ sku: 'TEE', name: 'Tee', quantity: 1, unitPrice: 1999 }],
}

/** A Knex instance of another database family; Knex connects lazily, so it never opens a connection. */
function otherFamily(name: string): Knex {
  return name === 'postgresql'
    ? knex({ client: 'mysql2', connection: { host: '127.0.0.1' } })
    : knex({ client: 'pg', connection: { host: '127.0.0.1' } })
}

describeEachDatabase('store: reader option', (db, name) => {
  const server = name === 'postgresql' || name === 'mysql'

  it('refuses a reader that is not a Knex instance, or is a transaction, with CONFIGURATION_INVALID', async () => {
    for (const reader of [{}, 'replica', () => undefined]) {
      expect(() => createCheckoutStore(db().knex, { reader: reader as unknown as Knex })).toThrow(
        expect.objectContaining({ code: 'CONFIGURATION_INVALID' }),
      )
    }
    await db().knex.transaction(async (trx) => {
      expect(() => createCheckoutStore(db().knex, { reader: trx })).toThrow(
        expect.objectContaining({ code: 'CONFIGURATION_INVALID' }),
      )
      // A store over a transaction reads inside it: a reader has no place there.
      expect(() => createCheckoutStore(trx, { reader: db().knex })).toThrow(
        expect.objectContaining({ code: 'CONFIGURATION_INVALID' }),
      )
    })
  })

  it('refuses a reader of another database family, and any reader on SQLite', async () => {
    const other = otherFamily(name)
    try {
      expect(() => createCheckoutStore(db().knex, { reader: other })).toThrow(
        expect.objectContaining({ code: 'CONFIGURATION_INVALID' }),
      )
    } finally {
      await other.destroy()
    }
    if (!server) {
      expect(() => createCheckoutStore(db().knex, { reader: db().knex })).toThrow(
        expect.objectContaining({ code: 'CONFIGURATION_INVALID', message: expect.stringMatching(/SQLite/) }),
      )
    }
  })

  if (server) {
    it('with a reader that is no replica, reads go to the primary and never miss a write', async () => {
      const store = createCheckoutStore(db().knex, { tablePrefix: 'rd_' })
      await store.migrate()
      // A second pool on the same server: not a standby (pg), not a causal Galera node (MariaDB).
      const reader = db().connect({ min: 0, max: 2 })
      let readerSelects = 0
      reader.on('query', (q: { sql: string }) => {
        if (/rd_order/.test(q.sql)) readerSelects++
      })
      const routed = createCheckoutStore(db().knex, { tablePrefix: 'rd_', reader })
      for (let i = 0; i < 5; i++) {
        const created = await routed.orders.create(order)
        expect(await routed.orders.get(created.id)).toEqual(created)
        expect((await routed.orders.list({ limit: 1 })).items[0]).toEqual(created)
      }
      expect(readerSelects).toBe(0)
    })
  }
})
