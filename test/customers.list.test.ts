import type { Knex } from 'knex'
import { beforeAll, describe, expect, it } from 'vitest'
import { type CheckoutStore, type Customer, createCheckoutStore } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'

async function allPages(
  store: CheckoutStore,
  options: { limit?: number; search?: string },
): Promise<Customer[]> {
  const items: Customer[] = []
  let cursor: string | null = null
  do {
    const page: Awaited<ReturnType<CheckoutStore['customers']['list']>> = await store.customers.list({
      ...options,
      cursor,
    })
    items.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  return items
}

describeEachDatabase('customers.list', (db) => {
  let store: CheckoutStore
  let created: Customer[]

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
    created = []
    // Created back to back: many share a millisecond, so only the id breaks the tie.
    for (let i = 0; i < 45; i++)
      created.push(await store.customers.create({ email: `list-${i}@example.com` }))
  })

  it('returns 20 customers by default, newest first, and a cursor', async () => {
    const page = await store.customers.list()
    expect(page.items.map((c) => c.id)).toEqual(
      created
        .slice(-20)
        .reverse()
        .map((c) => c.id),
    )
    expect(page.nextCursor).toEqual(expect.any(String))
  })

  it('pages through every customer exactly once, in creation order reversed', async () => {
    const seen = await allPages(store, { limit: 7 })
    expect(seen.map((c) => c.id)).toEqual(created.map((c) => c.id).reverse())
  })

  it('ends with a null cursor on the last page, also when it is exactly full', async () => {
    const page = await store.customers.list({ limit: 100 })
    expect(page.items).toHaveLength(45)
    expect(page.nextCursor).toBeNull()
    const first = await store.customers.list({ limit: 15 })
    const second = await store.customers.list({ limit: 15, cursor: first.nextCursor })
    const third = await store.customers.list({ limit: 15, cursor: second.nextCursor })
    expect(third.items).toHaveLength(15)
    expect(third.nextCursor).toBeNull()
  })

  it('never repeats or skips a customer while new ones are added between pages', async () => {
    const before = await allPages(store, { limit: 100 })
    const seen: string[] = []
    let cursor: string | null = null
    let n = 0
    do {
      const page: Awaited<ReturnType<CheckoutStore['customers']['list']>> = await store.customers.list({
        limit: 6,
        cursor,
      })
      seen.push(...page.items.map((c) => c.id))
      cursor = page.nextCursor
      // New customers land before the first page, never inside the part still to be read.
      await Promise.all([
        store.customers.create({ email: `during-${n++}@example.com` }),
        store.customers.create({ email: `during-${n++}@example.com` }),
      ])
    } while (cursor)
    expect(seen).toEqual(before.map((c) => c.id))
    expect(new Set(seen).size).toBe(seen.length)
  })

  it('loads the children of a whole page with one query per child table', async () => {
    const owners = created.slice(-3)
    for (const c of owners) {
      await store.customers.addAddress(c.id, { name: 'A', line1: '1 Road', city: 'Leeds', country: 'GB' })
      await store.customers.addPaymentMethod(c.id, {
        provider: 'stripe',
        token: `pm_${c.id}`,
        brand: 'visa',
        last4: '1111',
        expMonth: 2,
        expYear: 2040,
      })
    }
    const queries: string[] = []
    const listener = (q: { sql: string }) => queries.push(q.sql)
    const knex: Knex = db().knex
    knex.on('query', listener)
    const page = await store.customers.list({ limit: 100 }).finally(() => knex.off('query', listener))
    expect(queries).toHaveLength(3)
    for (const c of owners) {
      const listed = page.items.find((i) => i.id === c.id)
      expect(listed?.addresses.map((a) => a.city)).toEqual(['Leeds'])
      expect(listed?.paymentMethods.map((m) => m.token)).toEqual([`pm_${c.id}`])
    }
    expect(page.items.filter((i) => i.addresses.length > 0)).toHaveLength(3)
  })

  describe('search', () => {
    beforeAll(async () => {
      await store.customers.create({ email: 'Zoe.Search@Example.org', name: 'Zoë Quartermaine' })
      await store.customers.create({ email: 'zed@example.org', name: 'Mr QUARTER' })
      await store.customers.create({ email: 'percent@example.org', name: '100% Cotton_Co' })
      await store.customers.create({ email: 'other@example.org', name: '1000 Cottonx Co' })
    })

    it('matches an email prefix, ignoring case', async () => {
      const found = await allPages(store, { search: 'ZOE.s' })
      expect(found.map((c) => c.email)).toEqual(['Zoe.Search@Example.org'])
    })

    it('does not match the middle of an email', async () => {
      expect((await store.customers.list({ search: 'search@' })).items).toEqual([])
    })

    it('matches a name substring, ignoring case', async () => {
      const found = await allPages(store, { search: 'quarter' })
      expect(found.map((c) => c.email).sort()).toEqual(['Zoe.Search@Example.org', 'zed@example.org'])
    })

    it('takes % and _ in the search text literally', async () => {
      expect((await store.customers.list({ search: '0% cotton_' })).items.map((c) => c.email)).toEqual([
        'percent@example.org',
      ])
      expect((await store.customers.list({ search: '%' })).items.map((c) => c.email)).toEqual([
        'percent@example.org',
      ])
      expect((await store.customers.list({ search: '_' })).items.map((c) => c.email)).toEqual([
        'percent@example.org',
      ])
      expect((await store.customers.list({ search: '!' })).items).toEqual([])
    })

    it('pages through search results with the cursor', async () => {
      const all = await allPages(store, { search: 'list-', limit: 4 })
      expect(all.map((c) => c.id)).toEqual(created.map((c) => c.id).reverse())
    })

    it('treats an empty search as no search', async () => {
      expect((await store.customers.list({ search: '  ', limit: 5 })).items).toHaveLength(5)
    })
  })

  it('refuses bad limits, cursors and options', async () => {
    for (const options of [
      { limit: 0 },
      { limit: 101 },
      { limit: 2.5 },
      { limit: '10' },
      { cursor: 'not-a-cursor' },
      { cursor: Buffer.from('["x","y"]').toString('base64url') },
      { search: 5 },
      { search: 'x'.repeat(321) },
      { sort: 'name' },
    ]) {
      await expect(store.customers.list(options as never)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      })
    }
  })
})
