import type { BenchDatabase } from './databases.js'
import type { StatementCounter } from './harness.js'
import {
  type Implementation,
  type ImplementationKey,
  lineRefundAmount,
  lineSharesOf,
  orderInput,
  paymentOrderInput,
  customerId as seededCustomerId,
  TABLES,
  totalsOf,
  W7,
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
  /** The statements of one W1, W2, W3, W4, W7 and W8 call per implementation (W7 and W8: run.ts). */
  traces: Partial<Record<ImplementationKey, Record<string, string[]>>>
  /** W3's data statements per call at page sizes 1, 10, 50 and 100. */
  listStatementsByPageSize: Partial<Record<ImplementationKey, Record<string, number>>>
}

type Snapshot = Record<string, unknown>

const PAGE_SIZES = [1, 10, 50, 100]

const isInstant = (key: string): boolean => key.endsWith('_at') || key === 'capture_before'

function normalise(row: Record<string, unknown>, drop: readonly string[]): Snapshot {
  const out: Snapshot = {}
  for (const [key, value] of Object.entries(row)) {
    if (drop.includes(key)) continue
    if (isInstant(key) && value !== null) {
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

// After the run: W7 and W8 --------------------------------------------------------------------------

type DbRow = Record<string, unknown>

/**
 * Everything written on an order, ids and instants aside (and the order's `ignore` columns): the order,
 * its lines and events, its payments with their ledgers and refund lines, its parcels with their lines
 * (a line named by its position). And whether the last write stamped the order with the newest instant
 * of any of its rows, as the library stamps every row of one write with one instant.
 */
async function orderSnapshot(
  db: BenchDatabase,
  orderId: string,
  ignore: readonly string[],
): Promise<Snapshot> {
  const k = db.knex
  const order = (await k(TABLES.orders).where({ id: orderId }).first()) as DbRow | undefined
  if (!order) return { order: null }
  const lines = (await k(TABLES.orderLines).where({ order_id: orderId }).orderBy('position')) as DbRow[]
  const position = new Map(lines.map((l) => [String(l.id), Number(l.position)]))
  const events = (await k(TABLES.orderEvents).where({ order_id: orderId })) as DbRow[]
  const payments = (await k(TABLES.payments).where({ order_id: orderId }).orderBy('created_at')) as DbRow[]
  const ledger = (await k(TABLES.paymentTransactions).whereIn(
    'payment_id',
    payments.map((p) => String(p.id)),
  )) as DbRow[]
  const refundLines = (await k(TABLES.refundLines).whereIn(
    'transaction_id',
    ledger.map((t) => String(t.id)),
  )) as DbRow[]
  const parcels = (await k(TABLES.fulfillments).where({ order_id: orderId })) as DbRow[]
  const parcelLines = (await k(TABLES.fulfillmentLines)
    .where({ order_id: orderId })
    .orderBy('position')) as DbRow[]
  const byKind = (a: DbRow, b: DbRow) =>
    `${a.type}${a.to_status ?? ''}`.localeCompare(`${b.type}${b.to_status ?? ''}`)
  const newest = Math.max(
    ...[...events, ...ledger].map((row) => instant(row.created_at)),
    ...[...payments, ...parcels].map((row) => instant(row.updated_at)),
  )
  return {
    order: normalise(order, ['id', 'number', 'outbox_sequence', ...ignore]),
    lastWriteStampedOrder: instant(order.updated_at) === newest,
    lines: lines.map((l) => normalise(l, ['id', 'order_id'])),
    events: events.sort(byKind).map((e) => normalise(e, ['id', 'order_id'])),
    payments: payments.map((p) => ({
      ...normalise(p, ['id', 'order_id', 'reference']),
      ledger: ledger
        .filter((t) => t.payment_id === p.id)
        .sort(byKind)
        .map((t) => ({
          ...normalise(t, ['id', 'payment_id']),
          // The authorization carries the payment's own reference, which differs per order.
          reference: t.reference !== null && t.reference === p.reference ? "the payment's" : t.reference,
          lines: refundLines
            .filter((r) => r.transaction_id === t.id)
            .map((r) => ({
              ...normalise(r, ['id', 'transaction_id', 'line_id']),
              line: position.get(String(r.line_id)),
            })),
        })),
    })),
    parcels: parcels.map((f) => ({
      ...normalise(f, ['id', 'order_id']),
      lines: parcelLines
        .filter((l) => l.fulfillment_id === f.id)
        .map((l) => ({
          ...normalise(l, ['fulfillment_id', 'order_line_id', 'order_id']),
          line: position.get(String(l.order_line_id)),
        })),
    })),
  }
}

const rows = (value: unknown): Snapshot[] => (Array.isArray(value) ? (value as Snapshot[]) : [])

/** What W7 leaves on its order, summed up: the first line refunded one unit, its share of the order. */
function w7Summary(snap: Snapshot): string {
  const order = (snap.order ?? {}) as Snapshot
  const [payment] = rows(snap.payments)
  const ledger = rows(payment?.ledger)
  const refunds = ledger.flatMap((t) =>
    rows(t.lines).map((l) => `${l.quantity}×${Number(l.amount)} on line ${l.line}`),
  )
  return [
    `${order.status}/${order.payment_status}`,
    `captured ${Number(order.captured_total)}, refunded ${Number(order.refunded_total)}`,
    `payment ${payment?.status} ${Number(payment?.captured_amount)}/${Number(payment?.refunded_amount)} v${Number(payment?.version)}`,
    `ledger ${ledger.map((t) => `${t.type} ${Number(t.amount)}`).join(', ')}`,
    `refund lines ${refunds.join(', ')}`,
    `units refunded ${rows(snap.lines)
      .map((l) => Number(l.refunded_quantity))
      .join(',')}`,
  ].join('; ')
}

/** The summary every W7 order must have: computed from W7's input with the library's allocation. */
function w7Expected(): string {
  const input = paymentOrderInput()
  const [shirts] = input.items
  const [share] = lineSharesOf(input)
  if (!shirts || !share) throw new Error('W7 order has no lines')
  const { total } = totalsOf(input)
  const refund = lineRefundAmount(
    { ...share, quantity: shirts.quantity, total: shirts.quantity * shirts.unitPrice, refundedQuantity: 0 },
    W7.refundUnits,
  )
  return w7Summary({
    order: {
      status: 'pending',
      payment_status: 'partially_refunded',
      captured_total: W7.capture,
      refunded_total: refund,
    },
    payments: [
      {
        status: 'partially_refunded',
        captured_amount: W7.capture,
        refunded_amount: refund,
        version: 3,
        ledger: [
          { type: 'authorization', amount: total, lines: [] },
          { type: 'capture', amount: W7.capture, lines: [] },
          { type: 'refund', amount: refund, lines: [{ quantity: W7.refundUnits, amount: refund, line: 0 }] },
        ],
      },
    ],
    lines: input.items.map((_, i) => ({ refunded_quantity: i === 0 ? W7.refundUnits : 0 })),
  })
}

/** What W8 leaves on its order, summed up. */
function w8Summary(snap: Snapshot): string {
  const order = (snap.order ?? {}) as Snapshot
  const parcels = rows(snap.parcels)
  const units = parcels.flatMap((p) => rows(p.lines).map((l) => Number(l.quantity)))
  return `${order.status}/${order.fulfillment_status}, parcels ${parcels.map((p) => p.status).join(',')}, units ${units.join(',')}`
}

/**
 * After W7 or W8: one order of each implementation (`samples`, the reference first) is compared column by
 * column with the reference's, and summed up against what the workload must leave.
 */
export async function checkAfterRun(
  db: BenchDatabase,
  workload: 'W7' | 'W8',
  samples: ReadonlyArray<{ label: string; orderId: string }>,
): Promise<string[]> {
  const problems: string[] = []
  const expected = workload === 'W7' ? w7Expected() : 'shipped/fulfilled, parcels shipped, units 1,2,3'
  // W8's orders are seeded ones of different customers (the orders W4 paid): who ordered differs.
  const ignore = workload === 'W8' ? ['customer_id', 'email', 'email_normalized', 'payment'] : []
  let reference: Snapshot | undefined
  for (const { label, orderId } of samples) {
    const snap = await orderSnapshot(db, orderId, ignore)
    const summary = workload === 'W7' ? w7Summary(snap) : w8Summary(snap)
    if (summary !== expected)
      problems.push(`${workload} ${label}: order ${orderId} is ${summary}; expected ${expected}`)
    if (snap.lastWriteStampedOrder !== true) {
      problems.push(`${workload} ${label}: the order's updated_at is not the instant of its newest row`)
    }
    reference ??= snap
    problems.push(...differences(`${workload} ${label}`, reference, snap))
  }
  return problems
}
