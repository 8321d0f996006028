import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type Order } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { createCustomer, item, recordQueries } from './support/orders.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describeEachDatabase('orders.list', (db) => {
  let store: CheckoutStore
  let all: Order[] // newest first
  let ada: { id: string }
  let grace: { id: string }
  let middle: Date

  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
    ada = await createCustomer(store.customers, db().knex, 'ada@example.com')
    grace = await createCustomer(store.customers, db().knex, 'grace@example.com')
    const created: Order[] = []
    for (let i = 0; i < 12; i++) {
      if (i === 6) {
        await sleep(5)
        middle = new Date()
        await sleep(5)
      }
      const customerId = i % 3 === 0 ? ada.id : i % 3 === 1 ? grace.id : null
      const email = i % 3 === 2 ? 'Guest@Example.com' : null
      created.push(
        await store.orders.create({
          customerId,
          email,
          currency: 'USD',
          items: [item({ sku: `A${i}` }), item({ sku: `B${i}` })],
        }),
      )
    }
    // Some statuses to filter on.
    for (const order of created.slice(0, 4)) await store.orders.transition(order.id, 'paid')
    await store.orders.transition((created[0] as Order).id, 'shipped')
    all = (await Promise.all(created.map((o) => store.orders.get(o.id)))).reverse()
  })

  const ids = (orders: Order[]) => orders.map((o) => o.id)

  it('lists newest first with lines, and pages through everything without repeats', async () => {
    const first = await store.orders.list()
    expect(ids(first.items)).toEqual(ids(all))
    expect(first.items).toEqual(all)
    expect(first.nextCursor).toBeNull()

    const seen: Order[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const page: Awaited<ReturnType<typeof store.orders.list>> = await store.orders.list({
        limit: 5,
        cursor,
      })
      seen.push(...page.items)
      cursor = page.nextCursor
      pages++
    } while (cursor)
    expect(pages).toBe(3)
    expect(ids(seen)).toEqual(ids(all))
    // A page that ends exactly at the last row says there is nothing more.
    const exact = await store.orders.list({ limit: 12 })
    expect(exact.nextCursor).toBeNull()
    const almost = await store.orders.list({ limit: 11 })
    expect(almost.nextCursor).not.toBeNull()
  })

  it('filters by customer, email (ignoring case), status and creation time', async () => {
    expect(ids((await store.orders.list({ customerId: ada.id })).items)).toEqual(
      ids(all.filter((o) => o.customerId === ada.id)),
    )
    const guests = all.filter((o) => o.email === 'Guest@Example.com')
    expect(guests).toHaveLength(4)
    expect(ids((await store.orders.list({ email: 'GUEST@example.COM' })).items)).toEqual(ids(guests))
    expect(ids((await store.orders.list({ status: 'paid' })).items)).toEqual(
      ids(all.filter((o) => o.status === 'paid')),
    )
    const mixed = await store.orders.list({ status: ['shipped', 'pending'] })
    expect(ids(mixed.items)).toEqual(ids(all.filter((o) => o.status === 'shipped' || o.status === 'pending')))
    const after = await store.orders.list({ createdAfter: middle })
    expect(ids(after.items)).toEqual(ids(all.slice(0, 6)))
    const before = await store.orders.list({ createdBefore: middle })
    expect(ids(before.items)).toEqual(ids(all.slice(6)))
    // createdAfter is inclusive, createdBefore exclusive.
    const oldest = all[11] as Order
    expect(ids((await store.orders.list({ createdAfter: oldest.createdAt })).items)).toContain(oldest.id)
    expect(ids((await store.orders.list({ createdBefore: oldest.createdAt })).items)).not.toContain(oldest.id)
    const combined = await store.orders.list({
      customerId: grace.id,
      status: 'pending',
      createdAfter: middle,
      limit: 1,
    })
    expect(ids(combined.items)).toEqual(
      ids(
        all
          .filter((o) => o.customerId === grace.id && o.status === 'pending' && o.createdAt >= middle)
          .slice(0, 1),
      ),
    )
    expect((await store.orders.list({ email: 'nobody@example.com' })).items).toEqual([])
  })

  it('pages a filtered list with its cursor', async () => {
    const page1 = await store.orders.list({ email: 'guest@example.com', limit: 3 })
    const page2 = await store.orders.list({ email: 'guest@example.com', limit: 3, cursor: page1.nextCursor })
    expect([...ids(page1.items), ...ids(page2.items)]).toEqual(ids(all.filter((o) => o.customerId === null)))
    expect(page2.nextCursor).toBeNull()
  })

  it('runs exactly 2 queries per page, whatever the page size', async () => {
    for (const limit of [1, 5, 100]) {
      const { result, sql } = await recordQueries(db().knex, () => store.orders.list({ limit }))
      expect(sql).toHaveLength(2)
      expect(result.items.every((o) => o.items.length === 2)).toBe(true)
    }
  })

  it.each([
    [{ limit: 0 }, 'limit'],
    [{ limit: 101 }, 'limit'],
    [{ limit: 2.5 }, 'limit'],
    [{ status: 'lost' }, 'status'],
    [{ status: [] }, 'status'],
    [{ createdAfter: new Date(Number.NaN) }, 'createdAfter'],
    [{ createdBefore: '2024-01-01' }, 'createdBefore'],
    [{ cursor: 'not-a-cursor' }, 'cursor'],
    [{ sort: 'asc' }, ''],
  ])('rejects %j with VALIDATION_FAILED', async (options, path) => {
    const error = await store.orders.list(options as never).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' })
    expect((error as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(path)
  })
})
