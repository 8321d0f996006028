import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { type BenchDatabase, openDatabase, selectedDatabases } from './databases.js'
import { type CellResult, type FailedCell, measureSideBySide, StatementCounter } from './harness.js'

// The built package, as a user imports it (build first), typed from the source.
const PACKAGE: string = '../dist/index.js'
const { createCheckoutStore } = (await import(PACKAGE)) as typeof import('../src/index.js')

/*
 * W7, capture + partial refund: on an order of 2 shirts and a cap with an open authorization of its total,
 * capture 3000, then refund one shirt by line. Each operation works on an order of its own, prepared
 * before the clock starts.
 *
 * (a) checkout-store: payments.capture, then payments.refund({ items }).
 * (b) Knex floor: the same rows written by hand in two transactions (order lock, conditional updates of
 *     the payment and the line, the ledger and refund-line inserts, the order's sums), the least a
 *     correct implementation does: no idempotency, no re-read of the ledger for the answer.
 *
 * Run: npm run build && npx tsx bench/w7-payments.ts   (BENCH_DBS=sqlite,postgresql,mariadb; W7_OPS)
 */

const PREFIX = 'w7_'
const T = {
  orders: `${PREFIX}orders`,
  lines: `${PREFIX}order_lines`,
  payments: `${PREFIX}payments`,
  transactions: `${PREFIX}payment_transactions`,
  refundLines: `${PREFIX}refund_lines`,
}
const OPS_PER_REP = Number(process.env.W7_OPS ?? 40)
const REPS = 5
const WARMUP = 10

interface Fixture {
  orderId: string
  paymentId: string
  lineId: string
}

type Key = 'checkout-store' | 'knex-floor'

async function fixtures(db: BenchDatabase, count: number): Promise<Fixture[]> {
  const store = createCheckoutStore(db.knex, { tablePrefix: PREFIX })
  const out: Fixture[] = []
  for (let i = 0; i < count; i++) {
    const order = await store.orders.create({
      email: 'bench@example.com',
      currency: 'USD',
      items: [
        { sku: 'TEE-BLUE-M', name: 'Blue tee', attributes: { size: 'M' }, quantity: 2, unitPrice: 1999 },
        { sku: 'CAP', name: 'Cap', quantity: 1, unitPrice: 1500 },
      ],
      shippingTotal: 500,
      taxTotal: 550,
      discountTotal: 300,
    })
    const payment = await store.payments.authorize(order.id, {
      provider: 'stripe',
      reference: `pi_${i}`,
      amount: order.total,
    })
    out.push({ orderId: order.id, paymentId: payment.id, lineId: order.items[0]?.id as string })
  }
  return out
}

/** The hand-written floor: what the two calls must write, in the fewest statements a correct version needs. */
function knexFloor(db: Knex, dialect: BenchDatabase['dialect']) {
  const now = () => (dialect === 'sqlite3' ? Date.now() : new Date())
  const lock = (trx: Knex.Transaction, id: string) => {
    const q = trx(T.orders).select('total', 'captured_total', 'refunded_total').where({ id }).first()
    return dialect === 'sqlite3' ? q : q.forUpdate()
  }
  return async (f: Fixture) => {
    await db.transaction(async (trx) => {
      await lock(trx, f.orderId)
      const at = now()
      const changed = await trx(T.payments)
        .where({ id: f.paymentId })
        .whereRaw('?? + ? + ?? <= ??', ['captured_amount', 3000, 'voided_amount', 'amount'])
        .update({
          captured_amount: trx.raw('?? + 3000', ['captured_amount']),
          status: 'partially_captured',
          version: trx.raw('?? + 1', ['version']),
          updated_at: at,
        })
      if (changed !== 1) throw new Error('capture refused')
      await trx(T.transactions).insert({
        id: uuidv7(),
        payment_id: f.paymentId,
        type: 'capture',
        amount: 3000,
        created_at: at,
      })
      await trx(T.orders)
        .where({ id: f.orderId })
        .update({
          captured_total: trx.raw('?? + 3000', ['captured_total']),
          payment_status: 'partially_paid',
          updated_at: at,
        })
    })
    await db.transaction(async (trx) => {
      await lock(trx, f.orderId)
      const line = (await trx(T.lines)
        .select('quantity', 'total', 'tax_total', 'discount_total', 'refunded_quantity')
        .where({ id: f.lineId })
        .first()) as Record<string, number | string>
      const refundable = Number(line.total) - Number(line.discount_total) + Number(line.tax_total)
      const q = Number(line.quantity)
      const r = Number(line.refunded_quantity)
      const amount = Math.floor((refundable * (r + 1)) / q) - Math.floor((refundable * r) / q)
      const at = now()
      const units = await trx(T.lines)
        .where({ id: f.lineId })
        .whereRaw('?? + 1 <= ??', ['refunded_quantity', 'quantity'])
        .increment('refunded_quantity', 1)
      const money = await trx(T.payments)
        .where({ id: f.paymentId })
        .whereRaw('?? + ? <= ??', ['refunded_amount', amount, 'captured_amount'])
        .update({
          refunded_amount: trx.raw('?? + ?', ['refunded_amount', amount]),
          status: 'partially_refunded',
          version: trx.raw('?? + 1', ['version']),
          updated_at: at,
        })
      if (units !== 1 || money !== 1) throw new Error('refund refused')
      const id = uuidv7()
      await trx(T.transactions).insert({
        id,
        payment_id: f.paymentId,
        type: 'refund',
        amount,
        created_at: at,
      })
      await trx(T.refundLines).insert({
        id: uuidv7(),
        transaction_id: id,
        line_id: f.lineId,
        quantity: 1,
        amount,
      })
      await trx(T.orders)
        .where({ id: f.orderId })
        .update({
          refunded_total: trx.raw('?? + ?', ['refunded_total', amount]),
          payment_status: 'partially_refunded',
          updated_at: at,
        })
    })
  }
}

const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits })

async function main(): Promise<void> {
  const results: Record<string, Record<string, CellResult | FailedCell>> = {}
  for (const name of selectedDatabases()) {
    const db = await openDatabase(name)
    try {
      const store = createCheckoutStore(db.knex, { tablePrefix: PREFIX })
      await store.rollback()
      await store.migrate()
      const perContender = WARMUP + REPS * OPS_PER_REP
      const [forStore, forFloor] = [await fixtures(db, perContender), await fixtures(db, perContender)]
      const counter = new StatementCounter()
      db.knex.on('query', (q: { sql: string }) => counter.record(q.sql))
      const floor = knexFloor(db.knex, db.dialect)
      const cells = await measureSideBySide<Key>(
        [
          {
            key: 'checkout-store',
            op: async (i) => {
              const f = forStore[i] as Fixture
              await store.payments.capture(f.paymentId, { amount: 3000 })
              await store.payments.refund(f.paymentId, { items: [{ lineId: f.lineId, quantity: 1 }] })
            },
          },
          { key: 'knex-floor', op: (i) => floor(forFloor[i] as Fixture) },
        ],
        { warmup: WARMUP, reps: REPS, opsPerRep: OPS_PER_REP },
        counter,
      )
      // Both must have written the same money: compare the sums of one prepared order of each.
      const sample = async (f: Fixture) =>
        db.knex(T.payments).select('captured_amount', 'refunded_amount').where({ id: f.paymentId }).first()
      const [a, b] = [await sample(forStore[0] as Fixture), await sample(forFloor[0] as Fixture)]
      if (JSON.stringify(a) !== JSON.stringify(b))
        throw new Error(`W7 implementations disagree: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`)
      results[db.label] = Object.fromEntries(cells)
      console.log(`\nW7 capture + partial refund, ${db.label} (${REPS} × ${OPS_PER_REP} ops, one order each)`)
      for (const [key, cell] of cells) {
        if ('error' in cell) console.log(`  ${key.padEnd(16)} failed: ${cell.error}`)
        else
          console.log(
            `  ${key.padEnd(16)} ${fmt(cell.perSecond).padStart(8)} ops/s  median ${fmt(cell.medianMs, 2)} ms  p99 ${fmt(cell.p99Ms, 2)} ms  ` +
              `${fmt(cell.statementsPerOp)} statements + ${fmt(cell.controlPerOp)} BEGIN/COMMIT per op  spread ${fmt(cell.spreadPct, 0)}%`,
          )
      }
      await store.rollback()
    } finally {
      await db.close()
    }
  }
  console.log(`\n${JSON.stringify(results, null, 2)}`)
}

await main()
