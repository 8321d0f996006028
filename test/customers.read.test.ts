import type { Knex } from 'knex'
import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, type Customer, createCheckoutStore, NotFoundError } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'

/** Counts the SQL statements `fn` sends through `knex`. */
async function countQueries<T>(knex: Knex, fn: () => Promise<T>): Promise<{ result: T; queries: string[] }> {
  const queries: string[] = []
  const listener = (q: { sql: string }) => queries.push(q.sql)
  knex.on('query', listener)
  try {
    return { result: await fn(), queries }
  } finally {
    knex.off('query', listener)
  }
}

describeEachDatabase('customers.get / find / findByEmail', (db) => {
  let store: CheckoutStore
  let ada: Customer

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
    ada = await store.customers.create({ email: 'Ada.Lovelace@Example.com', name: 'Ada' })
    for (const city of ['London', 'Paris', 'Rome']) {
      await store.customers.addAddress(ada.id, { name: 'Ada', line1: '1 Main St', city, country: 'gb' })
    }
    for (const token of ['pm_1', 'pm_2']) {
      await store.customers.addPaymentMethod(ada.id, {
        provider: 'stripe',
        token,
        brand: 'visa',
        last4: '4242',
        expMonth: 1,
        expYear: 2099,
      })
    }
    // Another customer's children must not leak into Ada's.
    const other = await store.customers.create({ email: 'other@example.com' })
    await store.customers.addAddress(other.id, { name: 'O', line1: '2 Side St', city: 'Oslo', country: 'NO' })
  })

  it('get returns the customer with addresses and payment methods, oldest first', async () => {
    const got = await store.customers.get(ada.id)
    expect(got.addresses.map((a) => a.city)).toEqual(['London', 'Paris', 'Rome'])
    expect(got.addresses.every((a) => a.customerId === ada.id && a.country === 'GB')).toBe(true)
    expect(got.paymentMethods.map((m) => m.token)).toEqual(['pm_1', 'pm_2'])
    expect(got).toMatchObject({ id: ada.id, email: 'Ada.Lovelace@Example.com', name: 'Ada', version: 1 })
  })

  it('get, find and findByEmail take three queries, whatever the number of children', async () => {
    for (const read of [
      () => store.customers.get(ada.id),
      () => store.customers.find(ada.id),
      () => store.customers.findByEmail('ada.lovelace@example.com'),
    ]) {
      const { result, queries } = await countQueries(db().knex, read)
      expect(result?.addresses).toHaveLength(3)
      expect(result?.paymentMethods).toHaveLength(2)
      expect(queries).toHaveLength(3)
    }
  })

  it('get throws NOT_FOUND with the id; find returns null', async () => {
    const missing = '01900000-0000-7000-8000-000000000000'
    const error = await store.customers.get(missing).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotFoundError)
    expect(error).toMatchObject({ code: 'NOT_FOUND', entity: 'customer', id: missing })
    expect(await store.customers.find(missing)).toBeNull()
  })

  it('findByEmail ignores case and surrounding spaces', async () => {
    expect((await store.customers.findByEmail('  ADA.LOVELACE@example.COM '))?.id).toBe(ada.id)
    expect(await store.customers.findByEmail('nobody@example.com')).toBeNull()
  })

  it('findByEmail returns null for a string that is no email (nobody can have it)', async () => {
    expect(await store.customers.findByEmail('not an email')).toBeNull()
    expect(await store.customers.findByEmail('')).toBeNull()
  })

  it('accepts every id the store makes, even one whose digits pass the Luhn check', async () => {
    // A possible UUIDv7 holding `9-603116793953`: 13 digits that pass the card-number check.
    const lookalike = '01a20ab1-cd61-7a98-93d9-603116793953'
    await expect(store.customers.get(lookalike)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await store.customers.find(lookalike)).toBeNull()
    await expect(store.customers.update(lookalike, { name: 'x' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })

  it('refuses a card number passed as an id without echoing it', async () => {
    const error = await store.customers.get('4242424242424242').catch((e: unknown) => e as Error)
    expect(error).toMatchObject({ code: 'CARD_DATA_REJECTED' })
    expect((error as Error).message).not.toContain('4242424242424242')
  })

  it('refuses ids and emails that are not strings of a sensible length', async () => {
    for (const call of [
      () => store.customers.get(''),
      () => store.customers.get(42 as never),
      () => store.customers.find('x'.repeat(37)),
      () => store.customers.find(undefined as never),
      () => store.customers.findByEmail(null as never),
      () => store.customers.findByEmail(`${'a'.repeat(320)}@example.com`),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
    }
  })

  it('reads a customer inside store.transaction and sees its uncommitted writes', async () => {
    const seen = await store.transaction(async (tx) => {
      await tx.customers.create({ email: 'in-tx@example.com' })
      return tx.customers.findByEmail('IN-TX@example.com')
    })
    expect(seen?.email).toBe('in-tx@example.com')
    expect((await store.customers.findByEmail('in-tx@example.com'))?.id).toBe(seen?.id)
  })
})
