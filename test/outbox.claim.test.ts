import { beforeAll, beforeEach, expect, it } from 'vitest'
import { type CheckoutStore, CheckoutStoreError, createCheckoutStore } from '../src/index.js'
import { sampleCustomer, sampleOrder } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { ackEverything, countEvents, OUTBOX, storedEvents } from './support/outbox.js'

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; paths: string[] }> {
  try {
    await promise
  } catch (error) {
    if (!(error instanceof CheckoutStoreError)) throw error
    const issues = (error as { issues?: { path: string }[] }).issues ?? []
    return { code: error.code, paths: issues.map((i) => i.path) }
  }
  throw new Error('expected the call to fail')
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describeEachDatabase('outbox.claim', (db) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })
  beforeEach(async () => {
    await ackEverything(db().knex)
  })

  it('hands out unacked events oldest first, in limit-sized batches, each leased', async () => {
    const orders = await store.orders.createMany([sampleOrder(), sampleOrder(), sampleOrder()])
    const first = await store.outbox.claim({ limit: 2, leaseMs: 60_000 })
    expect(first.map((e) => e.aggregateId)).toEqual([orders[0]?.id, orders[1]?.id])
    expect(first[0]).toMatchObject({
      type: 'order.placed',
      aggregateType: 'order',
      sequence: 1,
      attempts: 1,
      payload: { orderId: orders[0]?.id, number: orders[0]?.number, total: orders[0]?.total },
    })
    expect(first[0]?.occurredAt).toBeInstanceOf(Date)
    expect(first[0]?.leaseExpiresAt.getTime()).toBeGreaterThan(Date.now() + 30_000)
    // Leased: the next claim gets only the third, then nothing.
    const second = await store.outbox.claim({ limit: 10, leaseMs: 60_000 })
    expect(second.map((e) => e.aggregateId)).toEqual([orders[2]?.id])
    expect(await store.outbox.claim()).toEqual([])
  })

  it('hands an event out again after its lease, with attempts + 1, until it is acked', async () => {
    const ada = await store.customers.create(sampleCustomer('lease'))
    const [claimed] = await store.outbox.claim({ limit: 10, leaseMs: 50 })
    expect(claimed).toMatchObject({ aggregateId: ada.id, type: 'customer.created', attempts: 1 })
    // The consumer died without acking: once the lease has passed, the event is back.
    let again: Awaited<ReturnType<CheckoutStore['outbox']['claim']>> = []
    for (let i = 0; i < 100 && again.length === 0; i++) {
      await sleep(20)
      again = await store.outbox.claim({ limit: 10, leaseMs: 60_000 })
    }
    expect(again.map((e) => [e.id, e.attempts])).toEqual([[claimed?.id, 2]])
    expect(await store.outbox.ack([claimed?.id as string])).toBe(1)
    await sleep(60)
    expect(await store.outbox.claim({ limit: 10, leaseMs: 50 })).toEqual([])
  })

  it('acks idempotently: a second ack, or unknown ids, change and count nothing', async () => {
    await store.orders.createMany([sampleOrder(), sampleOrder()])
    const batch = await store.outbox.claim({ limit: 10, leaseMs: 60_000 })
    const ids = batch.map((e) => e.id)
    expect(ids).toHaveLength(2)
    expect(await store.outbox.ack([...ids, ...ids])).toBe(2)
    expect(await store.outbox.ack(ids)).toBe(0)
    expect(await store.outbox.ack(['01890000-0000-7000-8000-000000000000'])).toBe(0)
    expect(await store.outbox.ack([])).toBe(0)
    const stored = await storedEvents(db().knex)
    expect(stored.filter((e) => ids.includes(e.id)).every((e) => e.acked)).toBe(true)
  })

  it('prunes acked events acked before olderThan, and never an unacked one', async () => {
    await store.orders.createMany([sampleOrder(), sampleOrder(), sampleOrder()])
    const [kept, ...acked] = await store.outbox.claim({ limit: 10, leaseMs: 60_000 })
    await store.outbox.ack(acked.map((e) => e.id))
    const total = await countEvents(db().knex)
    // Nothing was acked a day ago.
    expect(await store.outbox.prune({ olderThan: new Date(Date.now() - 86_400_000) })).toBe(0)
    const deleted = await store.outbox.prune({ olderThan: new Date(Date.now() + 60_000) })
    // Every acked event goes, the earlier tests' too; the unacked one stays.
    expect(deleted).toBe(total - 1)
    expect((await storedEvents(db().knex)).map((e) => e.id)).toEqual([kept?.id])
    await db().knex(OUTBOX).del()
  })

  it('keeps sequences going after prune: the counter lives on the order, not in the outbox', async () => {
    const order = await store.orders.create(sampleOrder())
    await ackEverything(db().knex)
    await store.outbox.prune({ olderThan: new Date(Date.now() + 60_000) })
    await store.orders.transition(order.id, 'paid')
    expect((await storedEvents(db().knex, order.id)).map((e) => e.sequence)).toEqual([2])
  })

  it('undoes a claim and an ack made inside a rolled-back store.transaction', async () => {
    await store.orders.create(sampleOrder())
    const failure = new Error('rolled back')
    await expect(
      store.transaction(async (tx) => {
        const batch = await tx.outbox.claim({ limit: 10, leaseMs: 60_000 })
        expect(batch).toHaveLength(1)
        await tx.outbox.ack(batch.map((e) => e.id))
        throw failure
      }),
    ).rejects.toBe(failure)
    const [event] = await store.outbox.claim({ limit: 10, leaseMs: 60_000 })
    expect(event?.attempts).toBe(1)
  })

  it('rejects bad arguments with VALIDATION_FAILED and changes nothing', async () => {
    await store.orders.create(sampleOrder())
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => store.outbox.claim({ limit: 0 }), 'options.limit'],
      [() => store.outbox.claim({ limit: 1001 }), 'options.limit'],
      [() => store.outbox.claim({ limit: 1.5 }), 'options.limit'],
      [() => store.outbox.claim({ leaseMs: 0 }), 'options.leaseMs'],
      [() => store.outbox.claim({ leaseMs: 86_400_001 }), 'options.leaseMs'],
      [() => store.outbox.claim({ leaseMs: '30s' } as never), 'options.leaseMs'],
      [() => store.outbox.claim({ limit: 1, lease: 5 } as never), 'options'],
      [() => store.outbox.ack('id' as never), 'ids'],
      [() => store.outbox.ack([42] as never), 'ids.0'],
      [() => store.outbox.ack(Array.from({ length: 10_001 }, () => 'x')), 'ids'],
      [() => store.outbox.prune({ olderThan: new Date(Number.NaN) }), 'options.olderThan'],
      [() => store.outbox.prune({ olderThan: '2026-01-01' } as never), 'options.olderThan'],
      [() => store.outbox.prune(undefined as never), 'options'],
    ]
    for (const [call, path] of cases) {
      const { code, paths } = await codeOf(call())
      expect(code).toBe('VALIDATION_FAILED')
      expect(paths.some((p) => p.startsWith(path))).toBe(true)
    }
    const events = await storedEvents(db().knex)
    expect(events.filter((e) => !e.acked).map((e) => e.attempts)).toEqual([0])
  })
})
