import type { Knex } from 'knex'
import { lineShares } from '../payments/allocation.js'
import { detectDialect } from '../sql/dialect.js'
import { fromDbInt } from '../sql/values.js'
import { id, tableOptions, timestamp } from './columns.js'
import type { Tables } from './tables.js'

/*
 * Payments: a ledger per order of what the provider did with the money.
 *
 * - `payments`: one authorization each, with its running sums. CHECK constraints keep the sums true
 *   whatever writes them: Σ captures + the released (voided) rest ≤ the authorized amount, Σ refunds ≤
 *   Σ captures.
 * - `payment_transactions`: append-only, one row per authorization, capture, refund or void.
 * - `refund_lines`: the units of order lines a refund gave back, and what each cost.
 * - `payment_keys`: idempotency keys of payment calls, scoped to an operation and its payment (or order).
 * - `orders.captured_total`, `refunded_total`, `payment_status`: the ledger's sums and derived status,
 *   written only by the payments module in the same transaction as the ledger rows.
 * - `order_lines.tax_total`, `discount_total`: each line's share of the order's tax and discount, so a
 *   refund by line is computed from stored integers; `refunded_quantity`: units refunded by line, raised
 *   only by a refund that names the line, under the order's row lock, never past the line's quantity.
 *   Fulfillments read it too.
 *
 * Orders placed before this migration get their lines' shares allocated here, by the same function new
 * orders use, so a refund by line works for them exactly as for new ones.
 */

/** Orders per batch of the backfill. */
const BACKFILL_BATCH = 500

/** Adds what payments need. */
export async function up(db: Knex, tables: Tables): Promise<void> {
  const dialect = detectDialect(db)
  const p = tables

  await db.schema.alterTable(p.orderLines, (t) => {
    t.integer('refunded_quantity').notNullable().defaultTo(0) // units refunded by line, ≤ quantity
    t.bigInteger('tax_total').notNullable().defaultTo(0) // the line's share of the order's tax
    t.bigInteger('discount_total').notNullable().defaultTo(0) // the line's share of the order's discount
  })
  await db.schema.alterTable(p.orders, (t) => {
    t.bigInteger('captured_total').notNullable().defaultTo(0) // Σ captures of its payments
    t.bigInteger('refunded_total').notNullable().defaultTo(0) // Σ refunds of its payments
    t.string('payment_status', 20).notNullable().defaultTo('unpaid') // derived from the ledger
    t.index(['payment_status', 'created_at', 'id'], `${p.orders}_payment_status_idx`)
  })

  await db.schema.createTable(p.payments, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary()
    id(t, 'order_id').notNullable().references('id').inTable(p.orders).onDelete('CASCADE')
    t.string('provider', 64).notNullable()
    t.string('reference', 255).notNullable() // the provider's id for the payment (pi_…), never card data
    // A saved method of the order's customer; erasing the customer deletes it and leaves the payment.
    id(t, 'payment_method_id').references('id').inTable(p.paymentMethods).onDelete('SET NULL')
    t.string('currency', 3).notNullable() // the order's
    t.bigInteger('amount').notNullable() // authorized, minor units
    t.bigInteger('captured_amount').notNullable()
    t.bigInteger('refunded_amount').notNullable()
    t.bigInteger('voided_amount').notNullable() // the uncaptured rest a void released
    t.string('status', 20).notNullable()
    timestamp(t, dialect, 'capture_before')
    t.integer('version').notNullable()
    timestamp(t, dialect, 'created_at').notNullable()
    timestamp(t, dialect, 'updated_at').notNullable()
    t.index(['order_id', 'created_at', 'id'], `${p.payments}_order_idx`)
    t.check('?? > 0', ['amount'], `${p.payments}_amount_ck`)
    t.check(
      '?? >= 0 and ?? >= 0 and ?? + ?? <= ??',
      ['captured_amount', 'voided_amount', 'captured_amount', 'voided_amount', 'amount'],
      `${p.payments}_captured_ck`,
    )
    t.check(
      '?? >= 0 and ?? <= ??',
      ['refunded_amount', 'refunded_amount', 'captured_amount'],
      `${p.payments}_refunded_ck`,
    )
  })

  await db.schema.createTable(p.paymentTransactions, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary()
    id(t, 'payment_id').notNullable().references('id').inTable(p.payments).onDelete('CASCADE')
    t.string('type', 16).notNullable() // authorization | capture | refund | void
    t.bigInteger('amount').notNullable()
    t.string('reference', 255) // the provider's id for this operation (re_…), when given
    t.text('note')
    t.string('actor', 200)
    timestamp(t, dialect, 'created_at').notNullable()
    t.index(['payment_id', 'created_at', 'id'], `${p.paymentTransactions}_payment_idx`)
  })

  await db.schema.createTable(p.refundLines, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary()
    id(t, 'transaction_id').notNullable().references('id').inTable(p.paymentTransactions).onDelete('CASCADE')
    id(t, 'line_id').notNullable().references('id').inTable(p.orderLines).onDelete('CASCADE')
    t.integer('quantity').notNullable()
    t.bigInteger('amount').notNullable()
    t.index(['transaction_id'], `${p.refundLines}_transaction_idx`)
    t.index(['line_id'], `${p.refundLines}_line_idx`)
  })

  await db.schema.createTable(p.paymentKeys, (t) => {
    tableOptions(t, dialect)
    t.string('scope', 64).notNullable() // operation:payment id (authorize:order id)
    t.string('key', 255).notNullable()
    t.string('request_hash', 64).notNullable() // sha256 of the normalised input
    id(t, 'payment_id').notNullable().references('id').inTable(p.payments).onDelete('CASCADE')
    timestamp(t, dialect, 'created_at').notNullable()
    t.primary(['scope', 'key'], `${p.paymentKeys}_pk`)
    t.index(['payment_id'], `${p.paymentKeys}_payment_idx`)
  })

  await backfillLineShares(db, tables)
}

/**
 * Gives the lines of orders placed before this migration their tax and discount shares, allocated as for
 * a new order. Only orders with tax or a discount have anything to write; they are read in batches.
 */
async function backfillLineShares(db: Knex, tables: Tables): Promise<void> {
  let after = ''
  for (;;) {
    const orders = (await db(tables.orders)
      .select('id', 'tax_total', 'discount_total')
      .where('id', '>', after)
      .andWhere((q) => q.where('tax_total', '>', 0).orWhere('discount_total', '>', 0))
      .orderBy('id')
      .limit(BACKFILL_BATCH)) as Array<{ id: string; tax_total: unknown; discount_total: unknown }>
    if (orders.length === 0) return
    after = orders[orders.length - 1]?.id as string
    const lines = (await db(tables.orderLines)
      .select('id', 'order_id', 'quantity', 'total')
      .whereIn(
        'order_id',
        orders.map((o) => o.id),
      )
      .orderBy([
        { column: 'order_id', order: 'asc' },
        { column: 'position', order: 'asc' },
      ])) as Array<{ id: string; order_id: string; quantity: unknown; total: unknown }>
    for (const order of orders) {
      const own = lines.filter((line) => line.order_id === order.id)
      const shares = lineShares(
        own.map((line) => ({ quantity: fromDbInt(line.quantity), total: fromDbInt(line.total) })),
        fromDbInt(order.tax_total),
        fromDbInt(order.discount_total),
      )
      for (const [i, line] of own.entries()) {
        const share = shares[i]
        if (!share || (share.taxTotal === 0 && share.discountTotal === 0)) continue
        await db(tables.orderLines)
          .where({ id: line.id })
          .update({ tax_total: share.taxTotal, discount_total: share.discountTotal })
      }
    }
  }
}

/** Removes what {@link up} added. */
export async function down(db: Knex, tables: Tables): Promise<void> {
  const p = tables
  for (const table of [p.paymentKeys, p.refundLines, p.paymentTransactions, p.payments]) {
    await db.schema.dropTableIfExists(table)
  }
  await db.schema.alterTable(p.orders, (t) => {
    t.dropIndex(['payment_status', 'created_at', 'id'], `${p.orders}_payment_status_idx`)
  })
  await db.schema.alterTable(p.orders, (t) => {
    t.dropColumn('captured_total')
    t.dropColumn('refunded_total')
    t.dropColumn('payment_status')
  })
  await db.schema.alterTable(p.orderLines, (t) => {
    t.dropColumn('refunded_quantity')
    t.dropColumn('tax_total')
    t.dropColumn('discount_total')
  })
}
