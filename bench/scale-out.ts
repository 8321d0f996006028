import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import knex, { type Knex } from 'knex'
import { mapConcurrent, median } from './harness.js'
import { orderInput } from './workload.js'

// The built package, as a user imports it (`npm run bench:scale-out` builds first).
const PACKAGE: string = '../dist/index.js'
const { createCheckoutStore } = (await import(PACKAGE)) as typeof import('../src/index.js')
type CheckoutStore = ReturnType<typeof createCheckoutStore>

/*
 * npm run bench:scale-out: W1 (create an order) and W2 (get an order with its lines) on a 3-node MariaDB
 * Galera cluster, writers on all nodes against one node, and W2 on PostgreSQL with and without a
 * streaming replica as reader. Starts the topologies with scripts/ when they are not up, and stops what
 * it started. Same in-flight calls in every cell, so a cell differs from its neighbour in the topology
 * only.
 */

const IN_FLIGHT = 12
const REPS = 3
const OPS = { w1: Number(process.env.BENCH_W1_OPS ?? 300), w2: Number(process.env.BENCH_W2_OPS ?? 1500) }
const SEEDED = 2000
const CUSTOMERS = 50
const PREFIX = 'bench_'
const here = dirname(fileURLToPath(import.meta.url))
const run = promisify(execFile)

interface Cell {
  readonly database: string
  readonly workload: string
  readonly topology: string
  readonly ordersPerSecond: number
  readonly reps: number[]
}

async function ensure(script: 'galera.sh' | 'pg-replica.sh'): Promise<boolean> {
  const { stdout } = await run(resolve(here, '../scripts', script), ['start'], { timeout: 300_000 })
  return !stdout.includes('already running')
}

async function stop(script: 'galera.sh' | 'pg-replica.sh'): Promise<void> {
  await run(resolve(here, '../scripts', script), ['stop'], { timeout: 300_000 })
}

/** Runs `op` `count` times with IN_FLIGHT calls in flight, REPS times; orders (or reads) per second. */
async function measure(
  count: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ median: number; reps: number[] }> {
  const reps: number[] = []
  for (let rep = 0; rep < REPS; rep++) {
    const items = Array.from({ length: count }, (_, i) => rep * count + i)
    const started = performance.now()
    await mapConcurrent(items, IN_FLIGHT, op)
    reps.push(Math.round((count / (performance.now() - started)) * 1000))
  }
  return { median: median(reps), reps }
}

/** Customers to order for, made through the store. */
async function seedCustomers(store: CheckoutStore): Promise<Array<{ id: string; email: string }>> {
  const made: Array<{ id: string; email: string }> = []
  for (let i = 0; i < CUSTOMERS; i++) {
    made.push(await store.customers.create({ email: `scale-${i}@bench.example` }))
  }
  return made
}

/** Seeded orders for W2, through createMany; their ids. */
async function seedOrders(
  store: CheckoutStore,
  customers: Array<{ id: string; email: string }>,
): Promise<string[]> {
  const ids: string[] = []
  for (let batch = 0; batch < SEEDED / 1000; batch++) {
    const inputs = Array.from({ length: 1000 }, (_, i) => {
      const c = customers[i % customers.length] as { id: string; email: string }
      return orderInput(c.id, c.email, batch * 1000 + i)
    })
    for (const order of await store.orders.createMany(inputs)) ids.push(order.id)
  }
  return ids
}

const pickFrom = <T>(items: readonly T[], i: number): T => items[(i * 7919) % items.length] as T

async function galera(cells: Cell[]): Promise<void> {
  const conn = (port: number, database?: string) => ({
    host: '127.0.0.1',
    port,
    user: 'root',
    charset: 'utf8mb4',
    timezone: 'Z',
    ...(database ? { database } : {}),
  })
  const admin = knex({ client: 'mysql2', connection: conn(3311), pool: { min: 0, max: 1 } })
  await admin.raw('drop database if exists checkout_bench')
  await admin.raw('create database checkout_bench character set utf8mb4 collate utf8mb4_bin')
  await admin.destroy()
  const pools: Knex[] = [3311, 3312, 3313].map((port) =>
    knex({ client: 'mysql2', connection: conn(port, 'checkout_bench'), pool: { min: 0, max: 10 } }),
  )
  try {
    const stores = pools.map((pool) => createCheckoutStore(pool, { tablePrefix: PREFIX }))
    const [one] = stores as [CheckoutStore]
    await Promise.all(stores.map((s) => s.migrate()))
    const customers = await seedCustomers(one)
    const ids = await seedOrders(one, customers)
    const create = (store: CheckoutStore, i: number) => {
      const c = pickFrom(customers, i)
      return store.orders.create(orderInput(c.id, c.email, 100_000 + i))
    }
    for (const [topology, storeFor] of [
      ['one node', () => one],
      ['3 nodes, writers on all', (i: number) => stores[i % 3] as CheckoutStore],
    ] as const) {
      const w1 = await measure(OPS.w1, (i) => create(storeFor(i), i))
      cells.push({
        database: 'MariaDB Galera',
        workload: 'W1',
        topology,
        ordersPerSecond: w1.median,
        reps: w1.reps,
      })
      const w2 = await measure(OPS.w2, (i) => storeFor(i).orders.get(pickFrom(ids, i)))
      cells.push({
        database: 'MariaDB Galera',
        workload: 'W2',
        topology,
        ordersPerSecond: w2.median,
        reps: w2.reps,
      })
    }
  } finally {
    await Promise.all(pools.map((p) => p.destroy()))
  }
}

async function postgres(cells: Cell[]): Promise<void> {
  const conn = (port: number, database = 'postgres') => ({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database,
  })
  const admin = knex({ client: 'pg', connection: conn(5441), pool: { min: 0, max: 1 } })
  await admin.raw('drop database if exists checkout_bench with (force)')
  await admin.raw('create database checkout_bench')
  await admin.destroy()
  const primary = knex({ client: 'pg', connection: conn(5441, 'checkout_bench'), pool: { min: 0, max: 10 } })
  const replica = knex({ client: 'pg', connection: conn(5442, 'checkout_bench'), pool: { min: 0, max: 10 } })
  try {
    const plain = createCheckoutStore(primary, { tablePrefix: PREFIX })
    await plain.migrate()
    const customers = await seedCustomers(plain)
    const ids = await seedOrders(plain, customers)
    await primary.raw('analyze')
    for (const [topology, store] of [
      ['primary only', plain],
      ['with the replica as reader', createCheckoutStore(primary, { tablePrefix: PREFIX, reader: replica })],
    ] as const) {
      const w2 = await measure(OPS.w2, (i) => store.orders.get(pickFrom(ids, i)))
      cells.push({
        database: 'PostgreSQL',
        workload: 'W2',
        topology,
        ordersPerSecond: w2.median,
        reps: w2.reps,
      })
      // Create, then get it back: what read-your-writes costs.
      const pair = await measure(OPS.w1, async (i) => {
        const c = pickFrom(customers, i)
        const order = await store.orders.create(orderInput(c.id, c.email, 200_000 + i))
        await store.orders.get(order.id)
      })
      cells.push({
        database: 'PostgreSQL',
        workload: 'W1 then W2',
        topology,
        ordersPerSecond: pair.median,
        reps: pair.reps,
      })
    }
  } finally {
    await Promise.all([primary.destroy(), replica.destroy()])
  }
}

const cells: Cell[] = []
const startedGalera = await ensure('galera.sh')
const startedPg = await ensure('pg-replica.sh')
const load = loadavg()[0]?.toFixed(2)
try {
  await galera(cells)
  await postgres(cells)
} finally {
  if (startedGalera) await stop('galera.sh')
  if (startedPg) await stop('pg-replica.sh')
}
console.log(
  `\n${cpus().length} cores, load ${load} at start, ${IN_FLIGHT} calls in flight, median of ${REPS}\n`,
)
console.log('| database | workload | topology | orders/s | repetitions |')
console.log('| --- | --- | --- | ---: | --- |')
for (const c of cells) {
  console.log(
    `| ${c.database} | ${c.workload} | ${c.topology} | ${c.ordersPerSecond} | ${c.reps.join(', ')} |`,
  )
}
const out = join(here, 'results', 'scale-out.json')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(
  out,
  `${JSON.stringify({ at: new Date().toISOString(), inFlight: IN_FLIGHT, cells }, null, 2)}\n`,
)
