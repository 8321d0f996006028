import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import PgBoss from 'pg-boss'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { pgBossDelivery, relayOnce, webhookDelivery } from '../examples/outbox-relay/relay.js'
import { type CheckoutStore, createCheckoutStore } from '../src/index.js'
import { sampleCustomer, sampleOrder } from './support/checkout-data.js'
import { createTestDatabase, describeEachDatabase, SERVERS } from './support/databases.js'
import { ackEverything } from './support/outbox.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A local webhook receiver that fails the first `failures` requests with 503, then accepts. */
function webhookReceiver() {
  const received: Array<{ key: string; body: Record<string, unknown> }> = []
  const state = { failures: 0, status: 503 }
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8')
    })
    req.on('end', () => {
      if (state.failures > 0) {
        state.failures--
        res.writeHead(state.status).end()
        return
      }
      received.push({ key: String(req.headers['idempotency-key']), body: JSON.parse(body) })
      res.writeHead(204).end()
    })
  })
  return { server, received, state }
}

describeEachDatabase('outbox.relay: webhook', (db) => {
  let store: CheckoutStore
  const hook = webhookReceiver()
  let url = ''
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
    await new Promise<void>((resolve) => hook.server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(hook.server.address() as AddressInfo).port}/hooks`
  })
  afterAll(async () => {
    await new Promise((resolve) => hook.server.close(resolve))
  })
  beforeEach(async () => {
    await ackEverything(db().knex)
    hook.received.length = 0
  })

  it('delivers every event once through retries on 503, then acks them', async () => {
    const ada = await store.customers.create(sampleCustomer('hook'))
    const order = await store.orders.create(sampleOrder(ada.id))
    await store.orders.transition(order.id, 'paid')
    hook.state.failures = 2
    const deliver = webhookDelivery(url, { attempts: 4, retryDelayMs: 5 })
    expect(await relayOnce(store, deliver)).toBe(3)
    expect(hook.received.map((r) => [r.body.type, r.body.sequence])).toEqual([
      ['customer.created', 1],
      ['order.placed', 1],
      ['order.status_changed', 2],
    ])
    expect(hook.received.every((r) => r.key === r.body.id)).toBe(true)
    expect(await relayOnce(store, deliver)).toBe(0)
  })

  it('leaves a batch unacked when the endpoint keeps failing, and delivers it after the lease', async () => {
    const order = await store.orders.create(sampleOrder())
    hook.state.failures = 10
    await expect(
      relayOnce(store, webhookDelivery(url, { attempts: 2, retryDelayMs: 5 }), { leaseMs: 50 }),
    ).rejects.toThrow(/failed: 503/)
    hook.state.failures = 0
    let relayed = 0
    for (let i = 0; i < 100 && relayed === 0; i++) {
      await sleep(20)
      relayed = await relayOnce(store, webhookDelivery(url, { retryDelayMs: 5 }))
    }
    expect(relayed).toBe(1)
    expect(hook.received.map((r) => [r.body.aggregateId, r.body.attempts])).toEqual([[order.id, 2]])
  })
})

describeEachDatabase('outbox.relay: pg-boss', (db) => {
  let store: CheckoutStore
  let boss: PgBoss
  let bossDb: Awaited<ReturnType<typeof createTestDatabase>>
  const queue = 'checkout-events'
  beforeAll(async () => {
    store = createCheckoutStore(db().knex)
    await store.migrate()
    // A real pg-boss on the local PostgreSQL, in a database of its own.
    bossDb = await createTestDatabase('postgresql')
    boss = new PgBoss({ ...SERVERS.postgresql, database: bossDb.location, max: 2 })
    boss.on('error', () => {})
    await boss.start()
    await boss.createQueue(queue)
  })
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true })
    await bossDb?.destroy()
  })

  it('moves events into a pg-boss queue, one job per event even when a batch is delivered twice', async () => {
    await ackEverything(db().knex)
    const orders = await store.orders.createMany([sampleOrder(), sampleOrder()])
    const deliver = pgBossDelivery(boss, queue)
    // A relay that inserted the jobs and died before its ack: the batch comes back and goes in again.
    const first = await store.outbox.claim({ limit: 10, leaseMs: 50 })
    await deliver(first)
    let relayed = 0
    for (let i = 0; i < 100 && relayed === 0; i++) {
      await sleep(20)
      relayed = await relayOnce(store, deliver)
    }
    expect(relayed).toBe(2)
    const jobs = await boss.fetch<{ id: string; aggregateId: string; type: string }>(queue, { batchSize: 10 })
    expect(jobs.map((job) => job.id).sort()).toEqual(first.map((e) => e.id).sort())
    expect(jobs.map((job) => job.data.aggregateId).sort()).toEqual(orders.map((o) => o.id).sort())
    expect(jobs.every((job) => job.data.type === 'order.placed')).toBe(true)
  })
})
