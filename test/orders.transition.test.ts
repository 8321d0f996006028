import { beforeAll, expect, it } from 'vitest'
import {
  type CheckoutStore,
  createCheckoutStore,
  ORDER_TRANSITIONS,
  type Order,
  type OrderStatus,
} from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder, insideTransaction, item, orderTableState, recordQueries, T } from './support/orders.js'

/** A path from pending to each status, following the transition table. */
const PATHS: Record<OrderStatus, OrderStatus[]> = {
  pending: [],
  paid: ['paid'],
  shipped: ['paid', 'shipped'],
  delivered: ['paid', 'shipped', 'delivered'],
  cancelled: ['cancelled'],
  refunded: ['paid', 'refunded'],
}

describeEachDatabase('orders.transition', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })

  const orderAt = async (status: OrderStatus) => {
    let order: Order = await store.orders.create(guestOrder({ items: [item(), item({ sku: 'X' })] }))
    for (const to of PATHS[status]) order = await store.orders.transition(order.id, to)
    return order
  }

  it('moves the order, bumps the version and records the event', async () => {
    const order = await orderAt('pending')
    const paid = await store.orders.transition(order.id, 'paid', {
      expectedVersion: order.version,
      note: 'captured',
      actor: 'webhook',
    })
    expect(paid).toMatchObject({
      id: order.id,
      status: 'paid',
      version: 2,
      number: order.number,
      total: order.total,
    })
    expect(paid.items).toEqual(order.items)
    expect(paid.updatedAt.getTime()).toBeGreaterThanOrEqual(order.updatedAt.getTime())
    expect(paid.createdAt).toEqual(order.createdAt)
    expect(await store.orders.get(order.id)).toEqual(paid)
    const events = await store.orders.events(order.id)
    expect(events.at(-1)).toMatchObject({
      type: 'status_changed',
      from: 'pending',
      to: 'paid',
      note: 'captured',
      actor: 'webhook',
    })
    expect(events.at(-1)?.at).toEqual(paid.updatedAt)
  })

  it('follows the transition table exactly, from every status to every status', async () => {
    const statuses = Object.keys(ORDER_TRANSITIONS) as OrderStatus[]
    for (const from of statuses) {
      for (const to of statuses) {
        const order = await orderAt(from)
        const allowed = ORDER_TRANSITIONS[from].includes(to)
        const result = await store.orders.transition(order.id, to).catch((e: unknown) => e)
        if (allowed)
          expect(result, `${from} → ${to}`).toMatchObject({ status: to, version: order.version + 1 })
        else
          expect(result, `${from} → ${to}`).toMatchObject({
            code: 'INVALID_TRANSITION',
            id: order.id,
            from,
            to,
          })
      }
    }
  })

  it('refuses a stale expectedVersion with VERSION_CONFLICT and writes nothing', async () => {
    const order = await orderAt('paid')
    const before = await orderTableState(db().knex)
    await expect(store.orders.transition(order.id, 'shipped', { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
      expectedVersion: 1,
      actualVersion: 2,
    })
    expect(await orderTableState(db().knex)).toEqual(before)
    expect(await store.orders.get(order.id)).toEqual(order)
  })

  it('throws NOT_FOUND for an unknown order and VALIDATION_FAILED for bad input, writing nothing', async () => {
    const order = await orderAt('pending')
    const before = await orderTableState(db().knex)
    await expect(
      store.orders.transition('01890000-0000-7000-8000-000000000000', 'paid'),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    const bad: [unknown, unknown, unknown, string][] = [
      ['', 'paid', {}, 'id'],
      [order.id, 'lost', {}, 'to'],
      [order.id, 'paid', { expectedVersion: 0 }, 'expectedVersion'],
      [order.id, 'paid', { expectedVersion: '1' }, 'expectedVersion'],
      [order.id, 'paid', { note: 'x'.repeat(2001) }, 'note'],
      [order.id, 'paid', { force: true }, ''],
    ]
    for (const [id, to, options, path] of bad) {
      const error = await store.orders
        .transition(id as string, to as OrderStatus, options as never)
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED' })
      expect((error as { issues: { path: string }[] }).issues.map((i) => i.path)).toContain(path)
    }
    expect(await orderTableState(db().knex)).toEqual(before)
  })

  it('reads the order and its lines, then updates and records the event and its outbox event in one transaction', async () => {
    const order = await orderAt('pending')
    const { sql } = await recordQueries(db().knex, () =>
      store.orders.transition(order.id, 'paid', { expectedVersion: 1 }),
    )
    const inside = insideTransaction(sql)
    // PostgreSQL inserts the history event and the outbox event in one statement.
    const together = db().name === 'postgresql'
    expect(inside).toHaveLength(together ? 2 : 3)
    expect(inside[0]).toMatch(/^update/i)
    expect(inside[0]).toContain(T.orders)
    const inserts = inside.slice(1)
    expect(inserts.every((q) => /^(insert|with)/i.test(q))).toBe(true)
    expect(inserts[0]).toContain(T.orderEvents)
    // The outbox event, its sequence read from the counter the update above advanced.
    expect(inserts.at(-1)).toContain('checkout_outbox')
    // The two reads run side by side before the transaction; nothing runs after COMMIT.
    expect(sql.slice(0, 2).every((q) => /^select/i.test(q))).toBe(true)
    expect(sql.slice(0, 2).join(' ')).toContain(T.orderLines)
    expect(sql).toHaveLength(2 + 1 + inside.length + 1) // two reads, BEGIN, update, the inserts, COMMIT
    expect(sql.at(-1)).toMatch(/^commit/i)
  })
})
