import knex from 'knex'
import { expect, it } from 'vitest'
import { createCheckoutStore, DatabaseError, type OrderInput } from '../src/index.js'
import { MAX_ATTEMPTS } from '../src/sql/transactions.js'
import { type DatabaseName, describeEachDatabase } from './support/databases.js'
import { countRows, type RowCounts } from './support/rows.js'
import { otherProcessPool } from './support/stores.js'

/*
 * Faults: a connection killed in the middle of a create, the database refusing a write half-way, a pool
 * with no connection to give, a lock that never comes free. Each time the caller gets an error, nothing
 * is left half-written, and the same store works again afterwards.
 */

const EMPTY: RowCounts = {
  customers: 0,
  addresses: 0,
  paymentMethods: 0,
  orders: 0,
  orderLines: 0,
  orderEvents: 0,
  idempotencyKeys: 0,
  orderNumber: 1000,
}

function order(tag: string): OrderInput {
  return {
    email: `fault-${tag}@example.com`,
    currency: 'GBP',
    items: [
      { sku: 'TEE-BLUE-M', name: 'Blue tee', attributes: { size: 'M' }, quantity: 1, unitPrice: 1999 },
      { sku: 'TEE-RED-L', name: 'Red tee', attributes: { size: 'L' }, quantity: 2, unitPrice: 1999 },
    ],
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `probe` until it returns a value, for at most `attempts` × 20 ms. */
async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, attempts = 100): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const found = await probe()
    if (found !== undefined) return found
    await sleep(20)
  }
  throw new Error(`gave up waiting for ${what}`)
}

/** The outcome of a promise, as a value: the error it rejected with, or a marker when it resolved. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected the call to fail, it succeeded'),
    (error: unknown) => error,
  )
}

/** SQL that makes every insert into `table` fail with the message `injected fault`, and its undoing. */
function refuseInserts(name: DatabaseName, table: string): { install: string[]; remove: string[] } {
  if (name === 'postgresql') {
    return {
      install: [
        `create function ${table}_refuse() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$`,
        `create trigger ${table}_refuse before insert on ${table} for each row execute function ${table}_refuse()`,
      ],
      remove: [`drop trigger ${table}_refuse on ${table}`, `drop function ${table}_refuse()`],
    }
  }
  if (name === 'mysql') {
    return {
      install: [
        `create trigger ${table}_refuse before insert on ${table} for each row signal sqlstate '45000' set message_text = 'injected fault'`,
      ],
      remove: [`drop trigger ${table}_refuse`],
    }
  }
  return {
    install: [
      `create trigger ${table}_refuse before insert on ${table} begin select raise(abort, 'injected fault'); end`,
    ],
    remove: [`drop trigger ${table}_refuse`],
  }
}

describeEachDatabase('reliability: faults', (db, name) => {
  it('a create the database refuses half-way (a trigger on order lines) leaves nothing; the next one works', async () => {
    const store = createCheckoutStore(db().knex, { tablePrefix: 'rf_' })
    await store.migrate()
    const trigger = refuseInserts(name, 'rf_order_lines')
    for (const sql of trigger.install) await db().knex.raw(sql)

    const error = await failure(store.orders.create(order('refused'), { idempotencyKey: 'refused-1' }))
    // Untranslated: DATABASE_ERROR with the driver's code; the driver's text stays out of the message.
    expect(error).toBeInstanceOf(DatabaseError)
    expect(error).toMatchObject({ code: 'DATABASE_ERROR' })
    expect((error as DatabaseError).driverCode).toBe(
      { postgresql: 'P0001', mysql: '1644' }[name as string] ?? 'SQLITE_CONSTRAINT_TRIGGER',
    )
    // The order row, its number and its event were written before the lines: all rolled back.
    expect(await countRows(db().knex, 'rf_')).toEqual(EMPTY)

    for (const sql of trigger.remove) await db().knex.raw(sql)
    const next = await store.orders.create(order('refused'), { idempotencyKey: 'refused-1' })
    expect(next).toMatchObject({ number: 1001, subtotal: 5997, total: 5997 })
    expect(await store.orders.get(next.id)).toEqual(next)
    expect(await countRows(db().knex, 'rf_')).toEqual({
      ...EMPTY,
      orders: 1,
      orderLines: 2,
      orderEvents: 1,
      idempotencyKeys: 1,
      orderNumber: 1001,
    })
  })

  if (name === 'postgresql' || name === 'mysql') {
    it('a create whose connection is killed mid-way rejects, leaves nothing, and the same store goes on', async () => {
      const main = db().knex
      const store = createCheckoutStore(main, { tablePrefix: 'kill_' })
      await store.migrate()
      // Hold every create at a known point, inside its transaction: the first order line's insert.
      if (name === 'postgresql') {
        await main.raw(
          'create function kill_hold() returns trigger language plpgsql as $$ begin perform pg_sleep(3); return new; end $$',
        )
        await main.raw(
          'create trigger kill_hold before insert on kill_order_lines for each row execute function kill_hold()',
        )
      } else {
        await main.raw(
          'create trigger kill_hold before insert on kill_order_lines for each row set @held = sleep(3)',
        )
      }

      const outcome = failure(store.orders.create(order('killed'), { idempotencyKey: 'killed-1' }))
      // From another connection: find the session that is inserting the lines, and kill it.
      const killer = db().connect({ min: 0, max: 1 })
      try {
        if (name === 'postgresql') {
          const pid = await waitFor(async () => {
            const { rows } = (await killer.raw(
              `select pid from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and state = 'active'
                  and query ilike '%kill_order_lines%'`,
            )) as { rows: Array<{ pid: number }> }
            return rows[0]?.pid
          }, 'the create to reach the order lines')
          const { rows } = (await killer.raw('select pg_terminate_backend(?) as killed', [pid])) as {
            rows: Array<{ killed: boolean }>
          }
          expect(rows[0]?.killed).toBe(true)
        } else {
          const id = await waitFor(async () => {
            // MariaDB shows the statement running inside the trigger, not the INSERT that fired it.
            const [rows] = (await killer.raw(
              `select id from information_schema.processlist
                where db = database() and id <> connection_id() and info like '%@held = sleep%'`,
            )) as [Array<{ id: number }>]
            return rows[0]?.id
          }, 'the create to reach the order lines')
          await killer.raw(`kill ${Number(id)}`)
        }
      } finally {
        await killer.destroy()
      }

      const error = await outcome
      expect(error).toBeInstanceOf(DatabaseError)
      expect(error).toMatchObject({ code: 'DATABASE_ERROR' })
      if (name === 'postgresql')
        await main.raw('drop trigger kill_hold on kill_order_lines; drop function kill_hold()')
      else await main.raw('drop trigger kill_hold')
      expect(await countRows(main, 'kill_')).toEqual(EMPTY)

      // The same store, on the same Knex instance: the dead connection is not handed out again.
      const next = await store.orders.create(order('killed'), { idempotencyKey: 'killed-1' })
      expect(next.number).toBe(1001)
      expect(await store.orders.get(next.id)).toEqual(next)
      expect(await countRows(main, 'kill_')).toEqual({
        ...EMPTY,
        orders: 1,
        orderLines: 2,
        orderEvents: 1,
        idempotencyKeys: 1,
        orderNumber: 1001,
      })
    })
  }

  it('on an exhausted pool a store call fails with DATABASE_ERROR (KnexTimeoutError) instead of hanging; then it recovers', {
    timeout: 30_000,
  }, async () => {
    const config = db().config
    const quiet = () => {}
    const pool = knex({
      ...config,
      pool: { ...config.pool, min: 0, max: 1 },
      acquireConnectionTimeout: 1000,
      // Knex logs every acquire timeout; here they are expected.
      log: { warn: quiet, error: quiet, debug: quiet, deprecate: quiet },
    })
    try {
      const store = createCheckoutStore(pool, { tablePrefix: 'px_' })
      await store.migrate()
      const ada = await store.customers.create({ email: 'ada@example.com' })

      // The host's open transaction holds the pool's only connection.
      const trx = await pool.transaction()
      await trx.raw('select 1')
      const writeError = await failure(store.customers.create({ email: 'grace@example.com' }))
      const timedOut = { code: 'DATABASE_ERROR', driverCode: 'KnexTimeoutError' }
      expect(writeError).toMatchObject(timedOut)
      const readError = await failure(store.customers.get(ada.id))
      expect(readError).toMatchObject(timedOut)
      await trx.rollback()

      const grace = await store.customers.create({ email: 'grace@example.com' })
      expect(await store.customers.get(grace.id)).toEqual(grace)
      expect((await countRows(pool, 'px_')).customers).toBe(2)
    } finally {
      await pool.destroy()
    }
  })

  if (name === 'sqlite-file') {
    it('gives up after a bounded number of attempts when the write lock never comes free', async () => {
      await createCheckoutStore(db().knex, { tablePrefix: 'stuck_' }).migrate()
      const pool = db().connect(otherProcessPool('sqlite-file', 5))
      const store = createCheckoutStore(pool, { tablePrefix: 'stuck_' })
      const holder = db().connect({ min: 0, max: 1 })
      const raw = (await holder.client.acquireConnection()) as { exec(sql: string): unknown }
      raw.exec('BEGIN IMMEDIATE')
      const errors: unknown[] = []
      const listener = (error: unknown) => errors.push(error)
      pool.on('query-error', listener)
      try {
        const error = await failure(store.customers.create({ email: 'stuck@example.com' }))
        expect(error).toMatchObject({ code: 'DATABASE_ERROR', driverCode: 'SQLITE_BUSY' })
      } finally {
        pool.off('query-error', listener)
        raw.exec('ROLLBACK')
        holder.client.releaseConnection(raw)
      }
      // Every attempt met the lock once, and there were exactly as many attempts as the limit.
      expect(errors.map((e) => (e as { code?: unknown }).code)).toEqual(
        Array(MAX_ATTEMPTS).fill('SQLITE_BUSY'),
      )
      expect((await countRows(db().knex, 'stuck_')).customers).toBe(0)
      expect(await store.customers.create({ email: 'stuck@example.com' })).toMatchObject({ version: 1 })
    })
  }
})
