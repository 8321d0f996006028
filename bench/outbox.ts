import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import knex, { type Knex } from 'knex'
import mysql from 'mysql2/promise'
import pg from 'pg'
import type { CheckoutStore } from '../src/index.js'
import { type DatabaseName, SQLITE_PRAGMAS, selectedDatabases } from './databases.js'
import { type CellResult, type FailedCell, measureSideBySide, StatementCounter } from './harness.js'
import { orderInput } from './workload.js'

/*
 * What the outbox costs: W1 (create an order) and W4 (pending → paid) with the library as it is, and
 * with the same code writing no outbox rows ("before"), interleaved in one run on the same tables, and
 * claim + ack throughput with 1 and 4 claimers. Both versions run from their TypeScript sources through
 * the same loader, so only the outbox's rows differ. `npx tsx bench/outbox.ts`
 * (BENCH_DBS=sqlite,postgresql,mariadb narrows the run). The "before" sources are the committed sources
 * (HEAD), exported from git, with `appendOutboxEvents` writing only the rows it is handed for other tables.
 */

const ROOT = resolve(import.meta.dirname, '..')
const PREFIX = 'obench_'
const DATABASE = 'checkout_outbox_bench'
const SQLITE_FILE = join(tmpdir(), 'checkout_outbox_bench.db')
const OPS = { warmup: 100, reps: 7, opsPerRep: 200 }
const CUSTOMERS = 50
const CLAIM_EVENTS = 20_000
const CLAIM_BATCH = 100

type StoreFactory = (db: Knex, options: { tablePrefix: string }) => CheckoutStore

async function loadBefore(): Promise<StoreFactory> {
  // Inside the repository, so the sources resolve knex, zod and uuidv7 from its node_modules.
  const dir = join(ROOT, '.tmp', 'outbox-before')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const archive = execFileSync('git', ['archive', 'HEAD', 'src'], { cwd: ROOT })
  execFileSync('tar', ['-x', '-C', dir], { input: archive })
  // The same code with the outbox's rows left out: appendOutboxEvents writes only the other tables'
  // rows it is handed, as the write would without an outbox.
  const writer = join(dir, 'src', 'outbox', 'outbox-writer.ts')
  const source = readFileSync(writer, 'utf8')
  const signature = 'export async function appendOutboxEvents('
  if (!source.includes(signature)) throw new Error(`${signature} not found: update bench/outbox.ts`)
  writeFileSync(
    writer,
    `${source.replace(signature, 'async function appendOutboxEventsWithOutbox(')}
export async function appendOutboxEvents(
  trx: Knex.Transaction,
  dialect: Dialect,
  _tables: Tables,
  _events: readonly OutboxEventDraft[],
  _sequences?: OutboxSequenceSource,
  alongside: readonly RowsOf[] = [],
): Promise<void> {
  void appendOutboxEventsWithOutbox
  await insertRowsTogether(trx, dialect, alongside)
}
`,
  )
  const module = (await import(join(dir, 'src', 'index.ts'))) as typeof import('../src/index.js')
  return module.createCheckoutStore as StoreFactory
}

async function openKnex(name: DatabaseName): Promise<() => Knex> {
  if (name === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) rmSync(SQLITE_FILE + suffix, { force: true })
    return () =>
      knex({
        client: 'better-sqlite3',
        connection: { filename: SQLITE_FILE },
        useNullAsDefault: true,
        pool: {
          min: 1,
          max: 1,
          afterCreate(conn: { pragma(sql: string): unknown }, done: (e: Error | null, c: unknown) => void) {
            for (const pragma of SQLITE_PRAGMAS) conn.pragma(pragma)
            done(null, conn)
          },
        },
      })
  }
  if (name === 'postgresql') {
    const server = { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' }
    const admin = new pg.Client({ ...server, database: 'postgres' })
    await admin.connect()
    await admin.query(`drop database if exists ${DATABASE} with (force)`)
    await admin.query(`create database ${DATABASE}`)
    await admin.end()
    return () =>
      knex({ client: 'pg', connection: { ...server, database: DATABASE }, pool: { min: 1, max: 10 } })
  }
  const server = { host: '127.0.0.1', port: 3306, user: 'root', password: '' }
  const admin = await mysql.createConnection(server)
  await admin.query(`drop database if exists ${DATABASE}`)
  await admin.query(`create database ${DATABASE} character set utf8mb4 collate utf8mb4_bin`)
  await admin.end()
  const connection = { ...server, database: DATABASE, charset: 'utf8mb4', timezone: 'Z' }
  return () => knex({ client: 'mysql2', connection, pool: { min: 1, max: 10 } })
}

/** Claims and acks until the outbox is empty; returns the events handled. */
async function drain(store: CheckoutStore): Promise<number> {
  let handled = 0
  for (;;) {
    const batch = await store.outbox.claim({ limit: CLAIM_BATCH, leaseMs: 60_000 })
    if (batch.length === 0) return handled
    await store.outbox.ack(batch.map((e) => e.id))
    handled += batch.length
  }
}

async function claimThroughput(
  stores: CheckoutStore[],
  seeder: CheckoutStore,
  input: (i: number) => ReturnType<typeof orderInput>,
): Promise<number> {
  for (let i = 0; i < CLAIM_EVENTS; i += 1000) {
    await seeder.orders.createMany(Array.from({ length: 1000 }, (_, k) => input(i + k)))
  }
  const start = process.hrtime.bigint()
  const counts = await Promise.all(stores.map(drain))
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const total = counts.reduce((a, b) => a + b, 0)
  if (total !== CLAIM_EVENTS) throw new Error(`claimed ${total} events, expected ${CLAIM_EVENTS}`)
  return total / seconds
}

type Cell = CellResult | FailedCell
const show = (cell: Cell | undefined) =>
  !cell || 'error' in cell
    ? `failed: ${cell?.error ?? '?'}`
    : `${cell.perSecond.toFixed(0)} ops/s, median ${cell.medianMs.toFixed(2)} ms, ${cell.statementsPerOp.toFixed(1)} statements + ${cell.controlPerOp.toFixed(1)} tx control`

async function run(name: DatabaseName, createBefore: StoreFactory, createAfter: StoreFactory) {
  const connect = await openKnex(name)
  const db = connect()
  const counter = new StatementCounter()
  db.on('query', (q: { sql: string }) => counter.record(q.sql))
  const after = createAfter(db, { tablePrefix: PREFIX })
  const before = createBefore(db, { tablePrefix: PREFIX })
  await after.migrate()
  const customers: Array<{ id: string; email: string }> = []
  for (let i = 0; i < CUSTOMERS; i++)
    customers.push(await after.customers.create({ email: `bench-${i}@example.com` }))
  const input = (i: number) => {
    const c = customers[i % CUSTOMERS] as { id: string; email: string }
    return orderInput(c.id, c.email, i)
  }
  const w1 = await measureSideBySide(
    [
      { key: 'before', op: async (i) => void (await before.orders.create(input(i))) },
      { key: 'after', op: async (i) => void (await after.orders.create(input(i))) },
    ],
    OPS,
    counter,
  )
  // W4: each version moves its own pending orders to paid.
  const needed = OPS.warmup + OPS.reps * OPS.opsPerRep
  const pending: Record<'before' | 'after', string[]> = { before: [], after: [] }
  for (const key of ['before', 'after'] as const) {
    for (let i = 0; i < needed; i += 1000) {
      const batch = Array.from({ length: Math.min(1000, needed - i) }, (_, k) => input(i + k))
      pending[key].push(...(await after.orders.createMany(batch)).map((o) => o.id))
    }
  }
  const w4 = await measureSideBySide(
    [
      {
        key: 'before',
        op: async (i) => void (await before.orders.transition(pending.before[i] as string, 'paid')),
      },
      {
        key: 'after',
        op: async (i) => void (await after.orders.transition(pending.after[i] as string, 'paid')),
      },
    ],
    OPS,
    counter,
  )
  // Claim + ack: everything so far acked first, then CLAIM_EVENTS new events per measurement.
  await drain(after)
  const one = await claimThroughput([after], after, input)
  const pools = Array.from({ length: 4 }, () => connect())
  const four = await claimThroughput(
    pools.map((pool) => createAfter(pool, { tablePrefix: PREFIX })),
    after,
    input,
  )
  await Promise.all(pools.map((p) => p.destroy()))
  await db.destroy()
  const ratio = (cells: Map<string, Cell>) => {
    const b = cells.get('before')
    const a = cells.get('after')
    if (!a || !b || 'error' in a || 'error' in b) return Number.NaN
    return b.perSecond / a.perSecond
  }
  return {
    database: name,
    W1: { before: w1.get('before'), after: w1.get('after'), costPct: (ratio(w1) - 1) * 100 },
    W4: { before: w4.get('before'), after: w4.get('after'), costPct: (ratio(w4) - 1) * 100 },
    claimAck: { oneClaimer: one, fourClaimers: four, batch: CLAIM_BATCH, events: CLAIM_EVENTS },
  }
}

const createBefore = await loadBefore()
const { createCheckoutStore: createAfter } = await import('../src/index.js')
const results = []
for (const name of selectedDatabases()) {
  console.log(`${name}…`)
  const result = await run(name, createBefore, createAfter as StoreFactory)
  results.push(result)
  console.log(`  W1 before: ${show(result.W1.before)}`)
  console.log(`  W1 after:  ${show(result.W1.after)}  → outbox cost ${result.W1.costPct.toFixed(1)} %`)
  console.log(`  W4 before: ${show(result.W4.before)}`)
  console.log(`  W4 after:  ${show(result.W4.after)}  → outbox cost ${result.W4.costPct.toFixed(1)} %`)
  console.log(
    `  claim+ack (batches of ${CLAIM_BATCH}): ${result.claimAck.oneClaimer.toFixed(0)} events/s with 1 claimer, ${result.claimAck.fourClaimers.toFixed(0)} with 4`,
  )
}
writeFileSync(join(ROOT, 'bench', 'results', 'outbox.json'), `${JSON.stringify(results, null, 2)}\n`)
