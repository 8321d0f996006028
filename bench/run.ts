import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type BenchDatabase, type DatabaseName, openDatabase, selectedDatabases } from './databases.js'
import { type Contender, type MeasureOptions, measureSideBySide, StatementCounter } from './harness.js'
import {
  createCheckoutStoreImpl,
  createOneByOneImport,
  IMPORT_BATCH,
  importConcurrency,
  migrateBenchSchema,
  preparePaymentOrders,
} from './impl/checkout-store.js'
import { createDrizzle } from './impl/drizzle.js'
import { createKnexBaseline } from './impl/knex-baseline.js'
import { createObjection } from './impl/objection.js'
import { createRawDriver } from './impl/raw-driver.js'
import { type Cells, type DatabaseReport, fmt, LABELS, PAGE, printDatabase, type RowKey } from './report.js'
import { measureCreateRss } from './rss.js'
import { analyze, countOrders, seedCustomers, seedOrders } from './seed.js'
import { measureValidationCost, printValidationCost, type ValidationCost } from './validation-cost.js'
import { checkAfterRun, type Verification, verify } from './verify.js'
import {
  type BenchOrderInput,
  customerEmail,
  customerId,
  IMPLEMENTATION_KEYS,
  type Implementation,
  type ImplementationKey,
  orderInput,
  type PaymentFixture,
  seededOrderId,
  W7,
} from './workload.js'

/*
 * npm run bench: every implementation side by side on each database, same schema (the library's own
 * migration), same data, same connection settings. BENCH_SCALE=small|full (default full) chooses the
 * sizes; BENCH_DBS=sqlite,postgresql,mariadb and BENCH_IMPLS=checkout-store,knex,… narrow the run.
 */

type Scale = 'small' | 'full'
const SCALE: Scale = process.env.BENCH_SCALE === 'small' ? 'small' : 'full'

interface Plan {
  /** Orders in the tables for W1 to W5 and the small half of W6. */
  readonly base: number
  /** Orders in the tables for the large half of W6. */
  readonly large: Record<DatabaseName, number>
  readonly warmup: number
  readonly reps: number
  /** Operations per repetition; W8 works on W4's orders, so it takes W4's count. */
  readonly ops: {
    readonly w1: number
    readonly w2: number
    readonly w3: number
    readonly w4: number
    readonly w7: number
  }
  /** Orders per W5 import (one repetition), and in the unmeasured warm-up import. */
  readonly importSize: number
  readonly importWarmup: number
  /** orders.create calls of the RSS step (BENCH_RSS_CREATES; 0 skips it). */
  readonly rssCreates: number
}

/** BENCH_RSS_CREATES when set, else the scale's default. */
function rssCreates(fallback: number): number {
  const value = process.env.BENCH_RSS_CREATES
  if (value === undefined || value === '') return fallback
  const count = Number(value)
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`BENCH_RSS_CREATES is not a count: ${value}`)
  return count
}

const PLANS: Record<Scale, Plan> = {
  small: {
    base: 10_000,
    large: { sqlite: 100_000, postgresql: 100_000, mariadb: 100_000 },
    warmup: 30,
    reps: 5,
    ops: { w1: 60, w2: 100, w3: 40, w4: 60, w7: 60 },
    importSize: 1_000,
    importWarmup: 200,
    rssCreates: rssCreates(10_000),
  },
  full: {
    base: 10_000,
    large: {
      sqlite: 1_000_000,
      postgresql: 1_000_000,
      mariadb: Number(process.env.BENCH_MARIADB_LARGE ?? 1_000_000),
    },
    warmup: 100,
    reps: 5,
    ops: { w1: 200, w2: 500, w3: 200, w4: 200, w7: 200 },
    importSize: 10_000,
    importWarmup: 1_000,
    rssCreates: rssCreates(100_000),
  },
}

/** Seeded customers; the first HOT_CUSTOMERS hold the first `base` orders (100 each at 10,000). */
const CUSTOMERS = 1_000
const HOT_CUSTOMERS = 100

const here = dirname(fileURLToPath(import.meta.url))

function selectedImplementations(): ImplementationKey[] {
  const value = process.env.BENCH_IMPLS
  if (!value) return [...IMPLEMENTATION_KEYS]
  const keys = value.split(',').map((v) => v.trim())
  const unknown = keys.filter((k) => !(IMPLEMENTATION_KEYS as readonly string[]).includes(k))
  if (unknown.length > 0) throw new Error(`BENCH_IMPLS names unknown implementations: ${unknown.join(', ')}`)
  return IMPLEMENTATION_KEYS.filter((k) => keys.includes(k))
}

function build(key: ImplementationKey, db: BenchDatabase, counter: StatementCounter): Implementation {
  switch (key) {
    case 'checkout-store':
      return createCheckoutStoreImpl(db)
    case 'knex':
      return createKnexBaseline(db)
    case 'raw':
      return createRawDriver(db, counter)
    case 'objection':
      return createObjection(db)
    case 'drizzle':
      return createDrizzle(db, counter)
  }
}

/** A small deterministic PRNG, so every run picks the same sequence of rows. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const seconds = (since: bigint): number => Number(process.hrtime.bigint() - since) / 1e9

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`)
}

async function sideBySide(
  counter: StatementCounter,
  contenders: readonly Contender<RowKey>[],
  options: MeasureOptions,
): Promise<Cells> {
  const measured = await measureSideBySide(contenders, options, counter)
  const cells: Cells = {}
  for (const [key, cell] of measured) cells[key] = 'error' in cell ? cell : { ...cell, ratioToBaseline: null }
  return cells
}

function withRatios(cells: Cells, higherIsBetter = false): void {
  const baseline = cells.knex
  if (!baseline || 'error' in baseline) return
  for (const cell of Object.values(cells)) {
    if (!cell || 'error' in cell) continue
    // Slower is always > 1: latency over latency, or baseline throughput over this throughput.
    cell.ratioToBaseline = higherIsBetter
      ? baseline.perSecond / cell.perSecond
      : cell.medianMs / baseline.medianMs
  }
}

/**
 * `op`, with the statements of its first call (a warm-up call) kept in the verification's traces, as
 * verify() keeps those of W1 to W4.
 */
function traceFirst(
  counter: StatementCounter,
  verification: Verification,
  key: ImplementationKey,
  workload: string,
  op: (index: number) => Promise<void>,
): (index: number) => Promise<void> {
  return async (index) => {
    if (index !== 0) return op(index)
    counter.trace = []
    try {
      await op(index)
    } finally {
      const traces = verification.traces[key] ?? {}
      traces[workload] = counter.trace ?? []
      verification.traces[key] = traces
      counter.trace = undefined
    }
  }
}

async function readWorkloads(
  impls: readonly Implementation[],
  counter: StatementCounter,
  plan: Plan,
  orders: number,
  seed: number,
): Promise<Record<'W2' | 'W3', Cells>> {
  log(`  W2, W3 (reading among ${orders.toLocaleString('en')} seeded orders)`)
  const picks = impls.map((_, i) => random(seed + i))
  const result: Record<'W2' | 'W3', Cells> = {
    W2: await sideBySide(
      counter,
      impls.map((impl, i) => ({
        key: impl.key,
        op: async () => {
          const lines = await impl.getOrder(seededOrderId(Math.floor((picks[i] ?? Math.random)() * orders)))
          if (lines !== 3) throw new Error(`W2 read ${lines} lines, expected 3`)
        },
      })),
      { warmup: plan.warmup, reps: plan.reps, opsPerRep: plan.ops.w2 },
    ),
    W3: await sideBySide(
      counter,
      impls.map((impl, i) => ({
        key: impl.key,
        op: async () => {
          const customer = customerId(Math.floor((picks[i] ?? Math.random)() * HOT_CUSTOMERS))
          const [count, lines] = await impl.listCustomerOrders(customer, PAGE)
          if (count !== PAGE || lines !== PAGE * 3) throw new Error(`W3 read ${count} orders, ${lines} lines`)
        },
      })),
      { warmup: plan.warmup, reps: plan.reps, opsPerRep: plan.ops.w3 },
    ),
  }
  withRatios(result.W2)
  withRatios(result.W3)
  return result
}

async function runDatabase(
  name: DatabaseName,
  keys: readonly ImplementationKey[],
  plan: Plan,
): Promise<DatabaseReport> {
  const started = process.hrtime.bigint()
  const db = await openDatabase(name)
  const counter = new StatementCounter()
  db.knex.on('query', (query: { sql: string }) => counter.record(query.sql))
  const notes: string[] = [
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  ]
  try {
    log(`${db.label}: migrate (store.migrate(), prefix bench_)`)
    await migrateBenchSchema(db)

    const seedStart = process.hrtime.bigint()
    await seedCustomers(db, CUSTOMERS)
    await seedOrders(db, { from: 0, to: plan.base, customers: HOT_CUSTOMERS })
    await analyze(db)
    const seedSmall = seconds(seedStart)
    log(`${db.label}: seeded ${plan.base.toLocaleString('en')} orders in ${seedSmall.toFixed(1)} s`)

    const impls = keys.map((key) => build(key, db, counter))
    log(`${db.label}: verifying that every implementation writes and reads the same rows`)
    const verification = await verify(
      db,
      impls,
      counter,
      customerId(HOT_CUSTOMERS),
      customerEmail(HOT_CUSTOMERS),
    )
    for (const problem of verification.problems) log(`  ! ${problem}`)

    const report: DatabaseReport = {
      name,
      label: db.label,
      sizes: { small: plan.base, large: plan.large[name] },
      cells: {},
      scale: { small: {}, large: {} },
      verification,
      notes,
      seconds: { seedSmall, seedLarge: 0, total: 0 },
    }

    // The first workload would otherwise also pay for the JIT and the drivers' caches: a read pass first.
    log(`${db.label}: warming up every implementation`)
    for (const impl of impls) {
      for (let i = 0; i < plan.ops.w2; i++) await impl.getOrder(seededOrderId((i * 7919) % plan.base))
      for (let i = 0; i < plan.ops.w3; i++) await impl.listCustomerOrders(customerId(i % HOT_CUSTOMERS), PAGE)
    }

    // W2, W3 and the small half of W6: the tables hold exactly `base` seeded orders.
    log(`${db.label}: W2, W3 at ${plan.base.toLocaleString('en')} orders`)
    const small = await readWorkloads(impls, counter, plan, plan.base, 1)
    report.cells.W2 = small.W2
    report.cells.W3 = small.W3
    report.scale.small = small

    // W1: a new order for one of the customers without seeded orders.
    log('  W1')
    let sequence = 0
    report.cells.W1 = await sideBySide(
      counter,
      impls.map((impl) => ({
        key: impl.key,
        op: async (i) => {
          const customer = HOT_CUSTOMERS + (i % (CUSTOMERS - HOT_CUSTOMERS))
          await impl.createOrder(orderInput(customerId(customer), customerEmail(customer), sequence++))
        },
      })),
      { warmup: plan.warmup, reps: plan.reps, opsPerRep: plan.ops.w1 },
    )
    withRatios(report.cells.W1)

    // W4: each implementation moves its own slice of the seeded (pending) orders to paid.
    log('  W4')
    const w4 = impls.flatMap((impl) =>
      impl.markPaid ? [{ key: impl.key, markPaid: impl.markPaid.bind(impl) }] : [],
    )
    const slice = Math.floor(plan.base / Math.max(1, w4.length))
    const needed = plan.warmup + plan.reps * plan.ops.w4
    if (needed > slice) throw new Error(`W4 needs ${needed} pending orders per implementation, has ${slice}`)
    report.cells.W4 = await sideBySide(
      counter,
      w4.map(({ key, markPaid }, k) => ({ key, op: (i: number) => markPaid(seededOrderId(k * slice + i)) })),
      { warmup: plan.warmup, reps: plan.reps, opsPerRep: plan.ops.w4 },
    )
    withRatios(report.cells.W4)

    // W8: each implementation packs and ships the very orders its W4 just moved to paid.
    log('  W8')
    const w8 = w4.flatMap(({ key }, k) => {
      const impl = impls.find((candidate) => candidate.key === key)
      return impl?.fulfilAndShip ? [{ key, k, fulfilAndShip: impl.fulfilAndShip.bind(impl) }] : []
    })
    report.cells.W8 = await sideBySide(
      counter,
      w8.map(({ key, k, fulfilAndShip }) => ({
        key,
        op: traceFirst(counter, verification, key, 'W8', (i) => fulfilAndShip(seededOrderId(k * slice + i))),
      })),
      { warmup: plan.warmup, reps: plan.reps, opsPerRep: plan.ops.w4 },
    )
    withRatios(report.cells.W8)
    verification.problems.push(
      ...(await checkAfterRun(
        db,
        'W8',
        w8.map(({ key, k }) => ({ label: LABELS[key], orderId: seededOrderId(k * slice) })),
      )),
    )

    // W7: each implementation captures and refunds on orders of its own, every one placed and authorized
    // by the library before the clock starts, so all start from the same rows.
    const w7 = impls.flatMap((impl) =>
      impl.captureAndRefund ? [{ key: impl.key, captureAndRefund: impl.captureAndRefund.bind(impl) }] : [],
    )
    const perImplementation = plan.warmup + plan.reps * plan.ops.w7
    log(`  W7 (placing and authorizing ${(w7.length * perImplementation).toLocaleString('en')} orders first)`)
    const fixtures = await preparePaymentOrders(db, w7.length * perImplementation)
    const fixture = (k: number, i: number) => fixtures[k * perImplementation + i] as PaymentFixture
    report.cells.W7 = await sideBySide(
      counter,
      w7.map(({ key, captureAndRefund }, k) => ({
        key,
        op: traceFirst(counter, verification, key, 'W7', (i) => captureAndRefund(fixture(k, i))),
      })),
      { warmup: plan.warmup, reps: plan.reps, opsPerRep: plan.ops.w7 },
    )
    withRatios(report.cells.W7)
    verification.problems.push(
      ...(await checkAfterRun(
        db,
        'W7',
        w7.map(({ key }, k) => ({ label: LABELS[key], orderId: fixture(k, 0).orderId })),
      )),
    )

    // W5: one repetition imports importSize orders, the best way each implementation offers.
    const imports: BenchOrderInput[] = Array.from({ length: plan.importSize }, (_, i) => {
      const customer = HOT_CUSTOMERS + (i % (CUSTOMERS - HOT_CUSTOMERS))
      return orderInput(customerId(customer), customerEmail(customer), i)
    })
    const w5: Array<{ key: RowKey; importOrders: (inputs: readonly BenchOrderInput[]) => Promise<void> }> = []
    for (const impl of impls) {
      if (impl.importOrders) w5.push({ key: impl.key, importOrders: impl.importOrders.bind(impl) })
      // The library's other path, the only one before createMany: one orders.create per order.
      if (impl.key === 'checkout-store') {
        w5.push({ key: 'checkout-store-create', importOrders: createOneByOneImport(db) })
      }
    }
    log(`  W5 (${plan.importSize.toLocaleString('en')} orders × ${plan.reps})`)
    for (const { importOrders } of w5) await importOrders(imports.slice(0, plan.importWarmup))
    report.cells.W5 = await sideBySide(
      counter,
      w5.map(({ key, importOrders }) => ({ key, op: () => importOrders(imports) })),
      { warmup: 0, reps: plan.reps, opsPerRep: 1, unitsPerOp: plan.importSize },
    )
    withRatios(report.cells.W5, true)

    // The RSS step: checkout-store's orders.create many times over, for customers without seeded orders
    // (W3 lists only the seeded ones), before the top-up, which counts the orders already there.
    if (keys.includes('checkout-store') && plan.rssCreates > 0) {
      log(`  RSS (${plan.rssCreates.toLocaleString('en')} orders.create)`)
      report.rss = await measureCreateRss(db, plan.rssCreates, (i) => {
        const customer = HOT_CUSTOMERS + (i % (CUSTOMERS - HOT_CUSTOMERS))
        return orderInput(customerId(customer), customerEmail(customer), i)
      })
    }
    if (db.dialect === 'mysql' && keys.includes('objection')) {
      notes.push(
        'Objection on MariaDB: no RETURNING, so W1 bumps the counter and reads it back (one more statement).',
      )
    }
    if (db.dialect !== 'postgresql' && keys.includes('objection')) {
      notes.push(
        "Objection insertGraph batches rows only on PostgreSQL: here it inserts the lines one by one (W1, W5, and W8's parcel lines).",
      )
    }
    if (w7.some(({ key }) => key === 'objection')) {
      notes.push(
        "Objection W7: reads the payment and the line through the order's relations after locking it, where (b) and Drizzle read them in the lock's join (3 statements more).",
      )
    }
    if (db.dialect === 'mysql' && keys.includes('drizzle')) {
      notes.push(
        "Drizzle W2/W3 on MariaDB: two core selects; its relational queries fail there (LATERAL in mode 'default', an outer reference in a derived table in mode 'planetscale').",
      )
    }
    if (w7.length > 0) {
      notes.push(
        `W7: capture ${W7.capture.toLocaleString('en')} of an open authorization, then refund one shirt by line: two transactions each, on orders the library placed and authorized beforehand.`,
      )
    }
    if (w8.length > 0) {
      notes.push(
        'W8: every unit of a paid order in one parcel, then shipped with carrier and tracking: two transactions each, on the orders W4 paid.',
      )
    }
    if (keys.includes('checkout-store')) {
      notes.push(
        `W5 (a): orders.createMany, ${IMPORT_BATCH.toLocaleString('en')} orders per call; "one by one": orders.create with ${importConcurrency(db)} call(s) in flight.`,
      )
    }

    // The large half of W6: top the tables up to `large` orders with the same raw seeding.
    const current = await countOrders(db)
    const topUp = Math.max(0, plan.large[name] - current)
    const largeStart = process.hrtime.bigint()
    log(
      `${db.label}: seeding ${topUp.toLocaleString('en')} more orders (to ${plan.large[name].toLocaleString('en')})`,
    )
    await seedOrders(db, {
      from: plan.base,
      to: plan.base + topUp,
      customers: CUSTOMERS,
      progress: (done) => {
        if (done % 200_000 === 0) log(`  … ${done.toLocaleString('en')}`)
      },
    })
    await analyze(db)
    report.seconds.seedLarge = seconds(largeStart)
    log(
      `${db.label}: seeded in ${report.seconds.seedLarge.toFixed(1)} s; W2, W3 at ${plan.large[name].toLocaleString('en')} orders`,
    )
    report.scale.large = await readWorkloads(impls, counter, plan, plan.base + topUp, 2)

    notes.push(
      `load average at end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )
    for (const impl of impls) await impl.close?.()
    report.seconds.total = seconds(started)
    return report
  } finally {
    await db.close()
  }
}

// Main --------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = process.hrtime.bigint()
  const plan = PLANS[SCALE]
  const keys = selectedImplementations()
  const names = selectedDatabases()
  log(`checkout-store bench, scale ${SCALE}: ${names.join(', ')}; ${keys.join(', ')}`)
  const reports: Partial<Record<DatabaseName, DatabaseReport | { error: string }>> = {}
  const printed: string[] = []
  for (const name of names) {
    try {
      const report = await runDatabase(name, keys, plan)
      reports[name] = report
      const text = printDatabase(report, keys)
      printed.push(text)
      process.stdout.write(`${text}\n`)
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error)
      reports[name] = { error: message }
      log(`${name} failed: ${message}`)
    }
  }
  // Validation runs before any database is touched, the same code for all: measured once, here.
  const validation: ValidationCost[] = await measureValidationCost()
  const validationTable = printValidationCost(validation)
  process.stdout.write(`\n${validationTable}\n`)
  const total = seconds(started)
  process.stdout.write(`\nTotal run time ${fmt(total, 1)} s (scale ${SCALE}).\n`)
  const results = join(here, 'results')
  mkdirSync(results, { recursive: true })
  const file = join(results, 'latest.json')
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        finishedAt: new Date().toISOString(),
        scale: SCALE,
        plan,
        machine: {
          node: process.version,
          cpus: cpus().length,
          cpu: cpus()[0]?.model,
          memoryGb: Math.round(totalmem() / 2 ** 30),
        },
        implementations: keys.map((k) => ({ key: k, label: LABELS[k] })),
        databases: reports,
        validation,
        table: [...printed, validationTable].join('\n'),
        seconds: total,
      },
      null,
      2,
    )}\n`,
  )
  process.stdout.write(`Wrote ${file}\n`)
  if (Object.values(reports).some((r) => r && 'error' in r)) process.exitCode = 1
}

await main()
