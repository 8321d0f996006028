import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type CheckoutStore, createCheckoutStore, type Order } from '../src/index.js'
import { describeEachDatabase } from './support/databases.js'
import { guestOrder } from './support/orders.js'

/*
 * Two app hosts on one database whose clocks disagree by 5 seconds, each in a process of its own with a
 * shifted `Date` (test/fixtures/skewed-host.ts). Timestamps come from the database clock, so the list
 * order (createdAt, id) is the number order and an order's events list in the order they happened. An
 * in-memory SQLite database cannot be shared with another process, so it is left out.
 */
const HOST = fileURLToPath(new URL('./fixtures/skewed-host.ts', import.meta.url))
const SKEWS = [-2500, 2500]
const ORDERS_PER_HOST = 40

interface Host {
  call(op: 'create' | 'transition', ...args: unknown[]): Promise<{ id: string; number: number }>
  close(): Promise<void>
}

function startHost(skewMs: number, config: object): Promise<Host> {
  const child: ChildProcess = fork(HOST, [String(skewMs), JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let pending: ((message: { result?: { id: string; number: number }; error?: string }) => void) | undefined
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('message', (ready: { ready?: number }) => {
      // The child's clock really is shifted.
      expect(Math.abs((ready.ready ?? 0) - skewMs)).toBeLessThan(1000)
      child.on('message', (message: { result?: { id: string; number: number }; error?: string }) =>
        pending?.(message),
      )
      resolve({
        call: (op, ...args) =>
          new Promise((done, fail) => {
            pending = (message) => (message.result ? done(message.result) : fail(new Error(message.error)))
            child.send({ op, args })
          }),
        close: () =>
          new Promise((done) => {
            child.once('exit', () => done())
            child.send({ op: 'exit' })
          }),
      })
    })
  })
}

describeEachDatabase(
  'orders: timestamps from the database clock',
  (db, name) => {
    let store: CheckoutStore
    let hosts: Host[]
    beforeAll(async () => {
      if (name === 'sqlite-file') await db().knex.raw('pragma journal_mode = WAL')
      store = createCheckoutStore(db().knex)
      await store.migrate()
      const { pool: _pool, ...config } = db().config
      hosts = await Promise.all(SKEWS.map((skew) => startHost(skew, config)))
    }, 60_000)
    afterAll(async () => {
      await Promise.all((hosts ?? []).map((host) => host.close()))
    })

    const allOrders = async (): Promise<Order[]> => {
      const orders: Order[] = []
      let cursor: string | null = null
      do {
        const page = await store.orders.list({ limit: 100, ...(cursor ? { cursor } : {}) })
        orders.push(...page.items)
        cursor = page.nextCursor
      } while (cursor)
      return orders
    }

    it('lists orders created by hosts 5 s apart, interleaved, in number order', async () => {
      await Promise.all(
        hosts.map(async (host, h) => {
          for (let i = 0; i < ORDERS_PER_HOST; i++)
            await host.call('create', guestOrder({ note: `host ${h} order ${i}` }))
        }),
      )
      const listed = await allOrders()
      expect(listed).toHaveLength(ORDERS_PER_HOST * hosts.length)
      const numbers = listed.map((o) => o.number)
      // Newest first: numbers strictly descending, and createdAt never increasing.
      expect(numbers).toEqual([...numbers].sort((a, b) => b - a))
      for (let i = 1; i < listed.length; i++) {
        expect(listed[i]?.createdAt.getTime()).toBeLessThanOrEqual(listed[i - 1]?.createdAt.getTime() ?? 0)
      }
    })

    it("lists an order's events in the order the hosts made them, whichever clock is behind", async () => {
      const [behind, ahead] = hosts as [Host, Host]
      for (let i = 0; i < 5; i++) {
        const order = await ahead.call('create', guestOrder({ note: `events ${i}` }))
        await behind.call('transition', order.id, 'paid')
        await ahead.call('transition', order.id, 'shipped')
        await behind.call('transition', order.id, 'delivered')
        const events = await store.orders.events(order.id)
        expect(events.map((e) => e.to)).toEqual(['pending', 'paid', 'shipped', 'delivered'])
        const times = events.map((e) => e.at.getTime())
        expect(times).toEqual([...times].sort((a, b) => a - b))
        expect(new Set(times).size).toBe(times.length)
        const read = await store.orders.get(order.id)
        expect(read.updatedAt.getTime()).toBe(times.at(-1))
      }
    })
  },
  { except: ['sqlite-memory'] },
)
