import { inspect } from 'node:util'
import createKnex from 'knex'
import { beforeAll, expect, it } from 'vitest'
import {
  type CheckoutStore,
  CheckoutStoreError,
  ConfigurationError,
  createCheckoutStore,
  DatabaseError,
  DuplicateEmailError,
} from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, T } from './support/orders.js'

// Personal data that must never appear in an error, however it is printed.
const SHOPPER = { email: 'zelda.quokka@example.org', name: 'Zelda Quokka', phone: '+44 20 7946 0111' }

/** Every way a host would print or log the error: message, stack, util.inspect (which shows `cause`). */
function printed(error: unknown): string {
  const e = error as Error
  return [String(e.message), String(e.stack), inspect(error, { depth: 10 }), JSON.stringify(error)].join('\n')
}

function expectNoValues(error: unknown, ...values: string[]): void {
  const text = printed(error)
  for (const value of [...values, SHOPPER.email, SHOPPER.name, SHOPPER.phone]) {
    expect(text.toLowerCase()).not.toContain(value.toLowerCase())
  }
  // Nor the SQL that held them.
  expect(text).not.toMatch(/insert into|select \*|update .* set/i)
}

describeEachDatabase('errors: driver errors leave the store translated, without values', (db, name) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('says CONFIGURATION_INVALID "run store.migrate()" when the tables are missing, without the input', async () => {
    const unmigrated = createCheckoutStore(db().knex, { tablePrefix: 'never_migrated_' })
    const attempts: Array<() => Promise<unknown>> = [
      () => unmigrated.customers.create(SHOPPER),
      () => unmigrated.customers.findByEmail(SHOPPER.email),
      () => unmigrated.orders.create(guestOrder({ email: SHOPPER.email })),
      () => unmigrated.orders.list({ email: SHOPPER.email }),
    ]
    for (const attempt of attempts) {
      const error = await attempt().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConfigurationError)
      expect(error).toMatchObject({ code: 'CONFIGURATION_INVALID' })
      expect((error as Error).message).toContain('run store.migrate()')
      expectNoValues(error)
    }
  })

  it('says CONFIGURATION_INVALID when the order number counter row is missing', async () => {
    const prefix = 'no_counter_'
    const other = createCheckoutStore(db().knex, { tablePrefix: prefix })
    await other.migrate()
    await db().knex(`${prefix}counters`).del()
    const error = await other.orders.create(guestOrder({ email: SHOPPER.email })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'CONFIGURATION_INVALID' })
    expect((error as Error).message).toContain('store.migrate()')
    expect(Number((await db().knex(`${prefix}orders`).count({ n: '*' }).first())?.n)).toBe(0)
  })

  it('gives DUPLICATE_EMAIL whose cause holds no trace of the rejected sign-up', async () => {
    await store.customers.create({ email: 'taken@example.org' })
    const error = await store.customers
      .create({ ...SHOPPER, email: 'Taken@Example.org' })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DuplicateEmailError)
    expectNoValues(error, 'taken@example.org')
    // The cause still says what the driver reported, by code.
    expect((error as Error).cause).toMatchObject({ message: expect.stringMatching(/^driver error \w+/) })
  })

  it('turns an untranslated driver error into DATABASE_ERROR naming the driver code, with no SQL or values', async () => {
    // A trigger refusing every new customer stands in for any failure the store does not translate.
    const trigger = `refuse_${name.replace('-', '_')}`
    if (name === 'postgresql') {
      await db().knex.raw(`create function ${trigger}() returns trigger language plpgsql as $$
        begin raise exception 'refused by policy' using errcode = 'P0001'; end $$`)
      await db().knex.raw(
        `create trigger ${trigger} before insert on ${T.customers} for each row execute function ${trigger}()`,
      )
    } else if (name === 'mysql') {
      await db().knex.raw(
        `create trigger ${trigger} before insert on ${T.customers} for each row signal sqlstate '45000' set message_text = 'refused by policy'`,
      )
    } else {
      await db().knex.raw(
        `create trigger ${trigger} before insert on ${T.customers} begin select raise(abort, 'refused by policy'); end`,
      )
    }
    try {
      const error = await store.customers.create(SHOPPER).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(DatabaseError)
      expect(error).toBeInstanceOf(CheckoutStoreError)
      const expected = { postgresql: 'P0001', mysql: '1644', 'sqlite-memory': 'SQLITE_CONSTRAINT_TRIGGER' }
      const driverCode = expected[name as keyof typeof expected] ?? 'SQLITE_CONSTRAINT_TRIGGER'
      expect(error).toMatchObject({ code: 'DATABASE_ERROR', driverCode })
      expect((error as Error).message).toContain(driverCode)
      expectNoValues(error)
    } finally {
      await db().knex.raw(`drop trigger ${trigger}${name === 'postgresql' ? ` on ${T.customers}` : ''}`)
    }
  })

  it("turns Knex's pool timeout into DATABASE_ERROR without the statement's values", async () => {
    // A pool of one whose only connection the host holds in a transaction: nothing is free.
    const { config } = db()
    const quiet = () => {}
    const knex = createKnex({
      ...config,
      pool: { ...config.pool, min: 0, max: 1 },
      acquireConnectionTimeout: 300,
      // Knex logs every acquire timeout; here it is expected.
      log: { warn: quiet, error: quiet, debug: quiet, deprecate: quiet },
    })
    const pooled = createCheckoutStore(knex)
    const held = await knex.transaction()
    try {
      const error = await pooled.customers.findByEmail(SHOPPER.email).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(DatabaseError)
      expect(error).toMatchObject({ code: 'DATABASE_ERROR', driverCode: 'KnexTimeoutError' })
      expect((error as Error).message).toMatch(/pool/)
      expectNoValues(error)
    } finally {
      await held.rollback()
      await knex.destroy()
    }
  })

  it("passes the host's own error out of store.transaction untouched", async () => {
    const own = new Error(`host failure for ${SHOPPER.email}`)
    await expect(
      store.transaction(async () => {
        throw own
      }),
    ).rejects.toBe(own)
  })
})
