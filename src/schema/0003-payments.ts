import type { Knex } from 'knex'
import type { Tables } from './tables.js'

/*
 * Payments. Refunds by line and fulfillments both need to know, per order line, how many units have
 * been refunded: `order_lines.refunded_quantity`, raised only by a refund that names the line, under the
 * order's row lock, and never past the line's quantity.
 */

/** Adds what payments need. */
export async function up(db: Knex, tables: Tables): Promise<void> {
  await db.schema.alterTable(tables.orderLines, (t) => {
    t.integer('refunded_quantity').notNullable().defaultTo(0) // units refunded by line, ≤ quantity
  })
}

/** Removes what {@link up} added. */
export async function down(db: Knex, tables: Tables): Promise<void> {
  await db.schema.alterTable(tables.orderLines, (t) => {
    t.dropColumn('refunded_quantity')
  })
}
