import type { BenchDatabase } from './databases.js'
import type { StatementCounter } from './harness.js'
import {
  type Implementation,
  type ImplementationKey,
  orderInput,
  customerId as seededCustomerId,
  TABLES,
} from './workload.js'

/*
 * Before anything is timed: every implementation places one order, reads it, lists a page and marks it
 * paid, and the rows it wrote are compared with the first implementation's (the library's when it
 * runs), column by column, ids and timestamps aside. The statements of each call are kept, so the
 * report shows exactly what each implementation sends.
 */

/** What the verification found. */
export interface Verification {
  /** Differences in what was stored or read; empty when all agree. */
  problems: string[]
  /** The statements of one W1, W2, W3 and W4 call per implementation. */
  traces: Partial<Record<ImplementationKey, Record<string, string[]>>>
  /** W3's data statements per call at page sizes 1, 10, 50 and 100. */
  listStatementsByPageSize: Partial<Record<ImplementationKey, Record<string, number>>>
}

type Snapshot = Record<string, unknown>

const PAGE_SIZES = [1, 10, 50, 100]

function normalise(row: Record<string, unknown>, drop: readonly string[]): Snapshot {
  const out: Snapshot = {}
  for (const [key, value] of Object.entries(row)) {
    if (drop.includes(key)) continue
    if (key === 'created_at' || key === 'updated_at') {
      // The instant differs per call; the stored form must not.
      out[key] = value instanceof Date ? 'Date' : typeof value
      continue
    }
    out[key] = value
  }
  return out
}

// Milliseconds, whatever the driver returned: String(Date) would drop them.
const instant = (value: unknown): number => (value instanceof Date ? value.getTime() : Number(value))

async function snapshot(db: BenchDatabase, id: string): Promise<Snapshot> {
  const order = (await db.knex(TABLES.orders).where({ id }).first()) as Record<string, unknown> | undefined
  const lines = (await db.knex(TABLES.orderLines).where({ order_id: id }).orderBy('position')) as Record<
    string,
    unknown
  >[]
  const events = (await db.knex(TABLES.orderEvents).where({ order_id: id })) as Record<string, unknown>[]
  events.sort((a, b) => String(a.type).localeCompare(String(b.type)))
  return {
    // The outbox counter: only the library writes outbox events (the others leave it at its default).
    order: order ? normalise(order, ['id', 'number', 'outbox_sequence']) : null,
    sameTimestamps: order ? instant(order.created_at) === instant(order.updated_at) : null,
    lines: lines.map((l) => normalise(l, ['id', 'order_id'])),
    events: events.map((e) => normalise(e, ['id', 'order_id'])),
  }
}

function differences(label: string, reference: Snapshot, actual: Snapshot): string[] {
  const problems: string[] = []
  const walk = (path: string, a: unknown, b: unknown): void => {
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)])
      for (const key of keys) walk(`${path}.${key}`, (a as Snapshot)[key], (b as Snapshot)[key])
      return
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      problems.push(`${label}: ${path.slice(1)} is ${JSON.stringify(b)}, reference has ${JSON.stringify(a)}`)
    }
  }
  walk('', reference, actual)
  return problems
}

async function traced<T>(counter: StatementCounter, fn: () => Promise<T>): Promise<[T, string[]]> {
  counter.trace = []
  counter.reset()
  try {
    const result = await fn()
    return [result, counter.trace ?? []]
  } finally {
    counter.trace = undefined
  }
}

/** Runs the checks on `impls`; `customerId`/`email` is a seeded customer without orders. */
export async function verify(
  db: BenchDatabase,
  impls: readonly Implementation[],
  counter: StatementCounter,
  customerId: string,
  email: string,
): Promise<Verification> {
  const result: Verification = { problems: [], traces: {}, listStatementsByPageSize: {} }
  let placedReference: Snapshot | undefined
  let paidReference: Snapshot | undefined
  const hot = seededCustomerId(0)
  for (const impl of impls) {
    const traces: Record<string, string[]> = {}
    result.traces[impl.key] = traces
    try {
      const [id, w1] = await traced(counter, () => impl.createOrder(orderInput(customerId, email, 0)))
      traces.W1 = w1
      const placed = await snapshot(db, id)
      placedReference ??= placed
      result.problems.push(...differences(`${impl.key} W1`, placedReference, placed))

      const [lines, w2] = await traced(counter, () => impl.getOrder(id))
      traces.W2 = w2
      if (lines !== 3) result.problems.push(`${impl.key} W2: read ${lines} lines, expected 3`)

      const [[orders, orderLines], w3] = await traced(counter, () => impl.listCustomerOrders(hot, 50))
      traces.W3 = w3
      if (orders !== 50 || orderLines !== 150) {
        result.problems.push(
          `${impl.key} W3: read ${orders} orders and ${orderLines} lines, expected 50 and 150`,
        )
      }
      const bySize: Record<string, number> = {}
      for (const size of PAGE_SIZES) {
        counter.reset()
        await impl.listCustomerOrders(hot, size)
        bySize[String(size)] = counter.data
      }
      result.listStatementsByPageSize[impl.key] = bySize

      if (impl.markPaid) {
        const markPaid = impl.markPaid.bind(impl)
        const [, w4] = await traced(counter, () => markPaid(id))
        traces.W4 = w4
        const paid = await snapshot(db, id)
        paidReference ??= paid
        result.problems.push(...differences(`${impl.key} W4`, paidReference, paid))
      }
    } catch (error) {
      result.problems.push(`${impl.key}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  return result
}
