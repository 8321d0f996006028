import { beforeAll, beforeEach, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type OutboxEvent } from '../src/index.js'
import { appendOutboxEvents } from '../src/outbox/outbox-writer.js'
import { tableNames } from '../src/schema/tables.js'
import { detectDialect } from '../src/sql/dialect.js'
import { sampleCustomer, sampleOrder } from './support/checkout-data.js'
import { describeEachDatabase } from './support/databases.js'
import { ackEverything, storedEvents } from './support/outbox.js'
import { separateStores } from './support/stores.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Claims and acks until `done()` and then until the outbox has nothing more to hand out. */
async function drain(store: CheckoutStore, seen: OutboxEvent[], done: () => boolean, ack = true) {
  for (let idle = 0; idle < 2; ) {
    const batch = await store.outbox.claim({ limit: 100, leaseMs: 600_000 })
    seen.push(...batch)
    if (ack && batch.length > 0) await store.outbox.ack(batch.map((e) => e.id))
    if (batch.length === 0) {
      if (done()) idle++
      await sleep(5)
    }
  }
}

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>()
  return ids.filter((id) => {
    if (seen.has(id)) return true
    seen.add(id)
    return false
  })
}

describeEachDatabase('outbox.concurrency', (db, name) => {
  let store: CheckoutStore
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
  })
  beforeEach(async () => {
    await ackEverything(db().knex)
  })

  it('gives 20 writers racing on one order the sequences 2..21, without gaps, on separate pools', async () => {
    const order = await store.orders.create(sampleOrder())
    const tables = tableNames('checkout_')
    const dialect = detectDialect(db().knex)
    // The path payments and fulfillments take: the writer bumps the order's counter itself.
    await Promise.all(
      separateStores(db(), name, 20).map((racer, i) =>
        racer.transaction((tx) =>
          appendOutboxEvents(tx.trx, dialect, tables, [
            {
              type: 'payment.captured',
              aggregateType: 'order',
              aggregateId: order.id,
              payload: { racer: i },
            },
          ]),
        ),
      ),
    )
    const events = await storedEvents(db().knex, order.id)
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1))
    expect(new Set(events.slice(1).map((e) => e.payload.racer)).size).toBe(20)
  })

  it('numbers 20 racing customer updates 2..21 in commit order: sequence n carries version n', async () => {
    const ada = await store.customers.create(sampleCustomer('race'))
    await Promise.all(
      separateStores(db(), name, 20).map((racer, i) =>
        racer.customers.update(ada.id, { name: `Racer ${i}` }),
      ),
    )
    const events = await storedEvents(db().knex, ada.id)
    expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1))
    expect(events.map((e) => e.payload.version)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1))
  })

  it('delivers each of 10,000 events to exactly one of 5 concurrent claimers while leases hold', async () => {
    const orderIds: string[] = []
    for (let batch = 0; batch < 10; batch++) {
      const orders = await store.orders.createMany(Array.from({ length: 1000 }, () => sampleOrder()))
      orderIds.push(...orders.map((o) => o.id))
    }
    const perClaimer = separateStores(db(), name, 5).map(() => [] as OutboxEvent[])
    const claimers = separateStores(db(), name, 5)
    await Promise.all(
      claimers.map((claimer, i) => drain(claimer, perClaimer[i] as OutboxEvent[], () => true)),
    )
    const all = perClaimer.flat()
    expect(duplicates(all.map((e) => e.id))).toEqual([])
    expect(new Set(all.map((e) => e.aggregateId))).toEqual(new Set(orderIds))
    expect(all).toHaveLength(10_000)
  })

  it('never skips a write that commits while claimers run, even one whose id is older than delivered ones', async () => {
    const written: string[] = []
    let writing = true
    const writers = separateStores(db(), name, 3).map(async (writer, w) => {
      for (let i = 0; i < 15; i++) {
        // The order's id (and its event's) is made early, then the commit waits: a claimer meanwhile
        // delivers later ids, and must still find this one once it commits.
        const order = await writer.transaction(async (tx) => {
          const placed = await tx.orders.create(sampleOrder())
          await sleep(((w + i) % 4) * 5)
          return placed
        })
        written.push(order.id)
      }
    })
    const delivered: OutboxEvent[] = []
    const claimers = separateStores(db(), name, 3).map((claimer) => drain(claimer, delivered, () => !writing))
    await Promise.all(writers)
    writing = false
    await Promise.all(claimers)
    expect(duplicates(delivered.map((e) => e.id))).toEqual([])
    expect(new Set(delivered.map((e) => e.aggregateId))).toEqual(new Set(written))
  })

  it('loses nothing when a consumer claims and dies: the events come back to another after the lease', async () => {
    const orders = await store.orders.createMany([sampleOrder(), sampleOrder(), sampleOrder()])
    const [dying, survivor] = separateStores(db(), name, 2) as [CheckoutStore, CheckoutStore]
    const lost = await dying.outbox.claim({ limit: 10, leaseMs: 100 })
    expect(lost).toHaveLength(3)
    expect(await survivor.outbox.claim({ limit: 10, leaseMs: 60_000 })).toEqual([])
    let back: OutboxEvent[] = []
    for (let i = 0; i < 200 && back.length < 3; i++) {
      await sleep(20)
      back = back.concat(await survivor.outbox.claim({ limit: 10, leaseMs: 60_000 }))
    }
    expect(back.map((e) => e.aggregateId).sort()).toEqual(orders.map((o) => o.id).sort())
    expect(back.every((e) => e.attempts === 2)).toBe(true)
  })
})
