import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, IdempotencyKeyReusedError } from '../src/index.js'
import { canonicalJson, requestHash } from '../src/orders/idempotency.js'
import { detectDialect } from '../src/sql/dialect.js'
import { toDbDate } from '../src/sql/values.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, item, orderTableState, recordQueries, T } from './support/orders.js'
import { separateStores } from './support/stores.js'

it('hashes the canonical JSON: key order does not matter, values do', () => {
  expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
    '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
  )
  expect(requestHash({ a: 1, b: 2 })).toBe(requestHash({ b: 2, a: 1 }))
  expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }))
  expect(requestHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/)
})

describeEachDatabase('orders.idempotency', (db, name) => {
  let store: CheckoutStore
  beforeAll(async () => {
    if (name === 'sqlite-file') await db().knex.raw('pragma journal_mode = WAL')
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  it('returns the first order for the same key and input, writing nothing the second time', async () => {
    const input = guestOrder({
      items: [item({ attributes: { size: 'M', color: 'blue' } })],
      shippingTotal: 0,
    })
    const first = await store.orders.create(input, { idempotencyKey: 'checkout-1' })
    const before = await orderTableState(db().knex)
    // Same content, keys in another order, a default spelled out differently: the same request.
    const reordered = {
      shippingTotal: 0,
      items: [
        {
          unitPrice: 1999,
          quantity: 2,
          attributes: { color: 'blue', size: 'M' },
          name: 'Blue tee',
          sku: 'TEE-BLUE-M',
        },
      ],
      currency: 'USD',
      email: 'guest@example.com',
    }
    const { result: again, sql } = await recordQueries(db().knex, () =>
      store.orders.create(reordered, { idempotencyKey: 'checkout-1' }),
    )
    expect(again).toEqual(first)
    expect(sql.some((s) => /^(insert|update|delete|begin)/i.test(s))).toBe(false)
    expect(await orderTableState(db().knex)).toEqual(before)
    const keys = await db().knex(T.idempotencyKeys).where({ key: 'checkout-1' })
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({ order_id: first.id })
    expect(keys[0].request_hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('throws IDEMPOTENCY_KEY_REUSED for the same key with another input, without naming the order', async () => {
    const first = await store.orders.create(guestOrder(), { idempotencyKey: 'checkout-2' })
    const before = await orderTableState(db().knex)
    const attempt = store.orders.create(guestOrder({ items: [item({ quantity: 3 })] }), {
      idempotencyKey: 'checkout-2',
    })
    await expect(attempt).rejects.toBeInstanceOf(IdempotencyKeyReusedError)
    await expect(attempt).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', httpStatus: 422 })
    // The caller with another request may not be the one who placed the order: nothing names it.
    const error = await attempt.catch((e: unknown) => e)
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain(
      first.id,
    )
    expect(await orderTableState(db().knex)).toEqual(before)
  })

  it('keeps keys apart: another key makes another order', async () => {
    const a = await store.orders.create(guestOrder(), { idempotencyKey: 'checkout-3a' })
    const b = await store.orders.create(guestOrder(), { idempotencyKey: 'checkout-3b' })
    expect(a.id).not.toBe(b.id)
    expect(b.number).toBe(a.number + 1)
  })

  it('validates the key: 1 to 255 characters', async () => {
    const before = await orderTableState(db().knex)
    for (const idempotencyKey of ['', 'k'.repeat(256)]) {
      await expect(store.orders.create(guestOrder(), { idempotencyKey })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        issues: [expect.objectContaining({ path: 'idempotencyKey' })],
      })
    }
    await expect(store.orders.create(guestOrder(), { idempotencyKey: 1 } as never)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    })
    expect(await orderTableState(db().knex)).toEqual(before)
    const longest = await store.orders.create(guestOrder(), { idempotencyKey: 'k'.repeat(255) })
    expect(await store.orders.create(guestOrder(), { idempotencyKey: 'k'.repeat(255) })).toEqual(longest)
  })

  it('leaves no key behind when the create fails, so the key stays usable', async () => {
    const before = await orderTableState(db().knex)
    await expect(
      store.orders.create(guestOrder({ customerId: 'missing' }), { idempotencyKey: 'checkout-4' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await orderTableState(db().knex)).toEqual(before)
    const order = await store.orders.create(guestOrder(), { idempotencyKey: 'checkout-4' })
    expect(order.number).toBe(before.counterValue + 1)
  })

  it('inserts the key as the last statement of the create transaction', async () => {
    const { sql } = await recordQueries(db().knex, () =>
      store.orders.create(guestOrder(), { idempotencyKey: 'checkout-5' }),
    )
    const commit = sql.findIndex((s) => /^commit/i.test(s))
    expect(sql[commit - 1]).toContain(T.idempotencyKeys)
    expect(sql[commit - 1]).toMatch(/^insert/i)
  })

  it('says whether create placed the order or replayed it, and the replay serialises identically', async () => {
    const first = await store.orders.create(guestOrder(), { idempotencyKey: 'replay-1' })
    const again = await store.orders.create(guestOrder(), { idempotencyKey: 'replay-1' })
    const unkeyed = await store.orders.create(guestOrder())
    expect([first.replayed, again.replayed, unkeyed.replayed]).toEqual([false, true, false])
    expect(JSON.stringify(again)).toBe(JSON.stringify(first))
    expect(Object.keys(again)).not.toContain('replayed')
  })

  it('replays for every concurrent caller but the one that placed the order, on separate pools', async () => {
    const stores = separateStores(db(), name, 8)
    const results = await Promise.all(
      stores.map((s) => s.orders.create(guestOrder(), { idempotencyKey: 'replay-race' })),
    )
    expect(new Set(results.map((o) => o.id)).size).toBe(1)
    expect(results.filter((o) => !o.replayed)).toHaveLength(1)
  })

  it('prunes keys older than a date, keeping their orders and the newer keys', async () => {
    const old = await store.orders.create(guestOrder(), { idempotencyKey: 'prune-old' })
    await db()
      .knex(T.idempotencyKeys)
      .where({ key: 'prune-old' })
      .update({ created_at: toDbDate(detectDialect(db().knex), new Date('2020-01-01T00:00:00Z')) })
    const fresh = await store.orders.create(guestOrder(), { idempotencyKey: 'prune-fresh' })
    const deleted = await store.pruneIdempotencyKeys({ olderThan: new Date('2021-01-01T00:00:00Z') })
    expect(deleted).toBeGreaterThanOrEqual(1)
    expect(await db().knex(T.idempotencyKeys).where({ key: 'prune-old' })).toEqual([])
    expect(await store.orders.get(old.id)).toMatchObject({ id: old.id })
    expect((await store.orders.create(guestOrder(), { idempotencyKey: 'prune-fresh' })).id).toBe(fresh.id)
    // A pruned key is free again: a retry after it places a new order.
    const reused = await store.orders.create(guestOrder(), { idempotencyKey: 'prune-old' })
    expect(reused).toMatchObject({ replayed: false })
    expect(reused.id).not.toBe(old.id)
    await expect(store.pruneIdempotencyKeys({ olderThan: 'yesterday' as never })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      issues: [{ path: 'options.olderThan', message: 'must be a valid Date' }],
    })
  })
})
