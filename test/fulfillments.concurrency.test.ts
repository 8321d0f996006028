import { beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type Fulfillment } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { orderWithLines, TABLES } from './support/fulfillments.js'
import { separateStores } from './support/stores.js'

const CALLERS = 10

describeEachDatabase('fulfillments.concurrency', (db, name) => {
  let store: CheckoutStore
  let separate: CheckoutStore[]
  beforeAll(async () => {
    // Several pools on one SQLite file, as several processes: WAL, so a reader never fails a writer's COMMIT.
    if (name === 'sqlite-file') await db().knex.raw('pragma journal_mode = WAL')
    store = createCheckoutStore(db().knex)
    await store.migrate()
    separate = separateStores(db(), name, CALLERS)
  })

  const outcomes = (results: PromiseSettledResult<unknown>[]) => ({
    won: results.filter((r) => r.status === 'fulfilled').length,
    codes: results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => (r.reason as { code?: string }).code ?? String(r.reason)),
  })

  const fulfilledUnits = async (lineId: string) =>
    Number(
      (await db().knex(TABLES.orderLines).where({ id: lineId }).first('fulfilled_quantity'))
        ?.fulfilled_quantity,
    )

  it(`lets exactly 3 of ${CALLERS} concurrent one-unit fulfillments of a three-unit line through`, async () => {
    const order = await orderWithLines(store, [3])
    const line = order.items[0]?.id as string
    const results = await Promise.allSettled(
      separate.map((s) => s.fulfillments.create(order.id, { items: [{ lineId: line, quantity: 1 }] })),
    )
    const { won, codes } = outcomes(results)
    expect(won).toBe(3)
    expect(codes).toEqual(Array(CALLERS - 3).fill('BALANCE_EXCEEDED'))
    expect(await fulfilledUnits(line)).toBe(3)
    const listed = await store.fulfillments.list(order.id)
    expect(listed.flatMap((f) => f.items).reduce((n, i) => n + i.quantity, 0)).toBe(3)
    expect((await store.orders.get(order.id)).fulfillmentStatus).toBe('fulfilled')
  })

  it('never over-ships when every caller takes every unit left', async () => {
    const order = await orderWithLines(store, [2, 1])
    const results = await Promise.allSettled(separate.map((s) => s.fulfillments.create(order.id)))
    expect(outcomes(results)).toEqual({ won: 1, codes: Array(CALLERS - 1).fill('BALANCE_EXCEEDED') })
    const [winner] = results.filter((r): r is PromiseFulfilledResult<Fulfillment> => r.status === 'fulfilled')
    expect(winner?.value.items.map((i) => i.quantity)).toEqual([2, 1])
  })

  it('gives concurrent callers with one idempotency key one fulfillment', async () => {
    const order = await orderWithLines(store, [5])
    const input = { items: [{ lineId: order.items[0]?.id as string, quantity: 2 }], carrier: 'DHL' }
    const results = await Promise.allSettled(
      separate.map((s) => s.fulfillments.create(order.id, input, { idempotencyKey: 'double-click' })),
    )
    expect(outcomes(results).codes).toEqual([])
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<Fulfillment>).value.id))
    expect(ids.size).toBe(1)
    expect(await store.fulfillments.list(order.id)).toHaveLength(1)
    expect(await fulfilledUnits(order.items[0]?.id as string)).toBe(2)
  })

  it('lets one of a racing ship and cancel of one fulfillment win', async () => {
    for (let round = 0; round < 3; round++) {
      const order = await orderWithLines(store, [1])
      const parcel = await store.fulfillments.create(order.id)
      const racers = separate.slice(0, 6)
      const results = await Promise.allSettled(
        racers.map((s, i) => (i % 2 ? s.fulfillments.ship(parcel.id) : s.fulfillments.cancel(parcel.id))),
      )
      const { codes } = outcomes(results)
      const final = (await store.fulfillments.list(order.id))[0] as Fulfillment
      // The winner's move, and the moves still allowed after it, succeed; nothing else does.
      const wins = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i % 2 ? 'ship' : 'cancel'] : []))
      expect(wins.length).toBeGreaterThanOrEqual(1)
      expect(codes.every((c) => c === 'INVALID_TRANSITION')).toBe(true)
      if (final.status === 'cancelled') {
        // Either cancel won outright, or one ship won and then one cancel of the shipped parcel.
        expect(wins.filter((w) => w === 'cancel')).toHaveLength(1)
        expect(wins.filter((w) => w === 'ship').length).toBeLessThanOrEqual(1)
        expect(await fulfilledUnits(order.items[0]?.id as string)).toBe(0)
      } else {
        expect(final.status).toBe('shipped')
        expect(wins).toEqual(['ship'])
        expect(await fulfilledUnits(order.items[0]?.id as string)).toBe(1)
      }
      expect(final.version).toBe(1 + wins.length)
    }
  })

  it('keeps the order status and its history consistent when parcels of one order ship at once', async () => {
    const order = await orderWithLines(store, [1, 1, 1, 1])
    const parcels = await Promise.all(
      order.items.map((line) =>
        store.fulfillments.create(order.id, { items: [{ lineId: line.id, quantity: 1 }] }),
      ),
    )
    const results = await Promise.allSettled(parcels.map((p, i) => separate[i]?.fulfillments.ship(p.id)))
    expect(outcomes(results).codes).toEqual([])
    const final = await store.orders.get(order.id)
    expect(final).toMatchObject({ status: 'shipped', version: order.version + 1 })
    const history = await store.orders.events(order.id)
    expect(history.filter((e) => e.to === 'shipped')).toHaveLength(1)
  })
})
