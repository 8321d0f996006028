import type { Knex } from 'knex'
import { detectDialect } from '../sql/dialect.js'
import { id, jsonText, tableOptions, timestamp } from './columns.js'
import type { Tables } from './tables.js'

/*
 * Fulfillments: parcels of an order's units, with carrier and tracking. The ledger is `fulfillments` and
 * `fulfillment_lines`; beside it two columns the fulfillment writes keep in step, under the order's row
 * lock, in the write's own transaction:
 * - `order_lines.fulfilled_quantity`: units of the line in live (not cancelled) fulfillments, raised only
 *   by a conditional UPDATE that refuses to pass `quantity - refunded_quantity`;
 * - `orders.fulfillment_status`: unfulfilled | partially_fulfilled | fulfilled, so every order read has
 *   it without another statement. Orders placed before this migration have no fulfillments: unfulfilled.
 */

/** Adds the fulfillment tables and the two columns that follow them. */
export async function up(db: Knex, tables: Tables): Promise<void> {
  const dialect = detectDialect(db)
  const p = tables

  await db.schema.alterTable(p.orders, (t) => {
    t.string('fulfillment_status', 32).notNullable().defaultTo('unfulfilled')
  })
  await db.schema.alterTable(p.orderLines, (t) => {
    t.integer('fulfilled_quantity').notNullable().defaultTo(0) // units in live fulfillments
  })

  await db.schema.createTable(p.fulfillments, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary()
    id(t, 'order_id').notNullable().references('id').inTable(p.orders).onDelete('CASCADE')
    t.string('status', 16).notNullable() // pending | shipped | delivered | cancelled
    t.string('carrier', 64)
    t.string('tracking_number', 128)
    t.text('tracking_url') // http(s), at most 2,048 characters
    jsonText(t, 'metadata')
    t.integer('version').notNullable()
    timestamp(t, dialect, 'shipped_at')
    timestamp(t, dialect, 'delivered_at')
    timestamp(t, dialect, 'cancelled_at')
    timestamp(t, dialect, 'created_at').notNullable()
    timestamp(t, dialect, 'updated_at').notNullable()
    t.index(['order_id', 'created_at', 'id'], `${p.fulfillments}_order_idx`)
  })

  await db.schema.createTable(p.fulfillmentLines, (t) => {
    tableOptions(t, dialect)
    id(t, 'fulfillment_id').notNullable().references('id').inTable(p.fulfillments).onDelete('CASCADE')
    id(t, 'order_line_id').notNullable().references('id').inTable(p.orderLines).onDelete('CASCADE')
    // The fulfillment's order, so an order's fulfillment lines are read by one index.
    id(t, 'order_id').notNullable()
    t.integer('position').notNullable() // the line's place in the fulfillment, from 0
    t.integer('quantity').notNullable()
    t.primary(['fulfillment_id', 'order_line_id'], `${p.fulfillmentLines}_pk`)
    t.index(['order_id'], `${p.fulfillmentLines}_order_idx`)
    t.index(['order_line_id'], `${p.fulfillmentLines}_line_idx`)
  })

  await db.schema.createTable(p.fulfillmentKeys, (t) => {
    tableOptions(t, dialect)
    id(t, 'order_id').notNullable().references('id').inTable(p.orders).onDelete('CASCADE')
    t.string('key', 255).notNullable()
    t.string('request_hash', 64).notNullable() // sha256 of the normalised create input
    id(t, 'fulfillment_id').notNullable().references('id').inTable(p.fulfillments).onDelete('CASCADE')
    timestamp(t, dialect, 'created_at').notNullable()
    t.primary(['order_id', 'key'], `${p.fulfillmentKeys}_pk`)
    t.index(['fulfillment_id'], `${p.fulfillmentKeys}_fulfillment_idx`)
  })
}

/** Removes what {@link up} added, children first. */
export async function down(db: Knex, tables: Tables): Promise<void> {
  const p = tables
  await db.schema.dropTableIfExists(p.fulfillmentKeys)
  await db.schema.dropTableIfExists(p.fulfillmentLines)
  await db.schema.dropTableIfExists(p.fulfillments)
  // ALTER TABLE … DROP COLUMN on every dialect (SQLite 3.35+). Knex's SQLite path rebuilds the table
  // instead, and with foreign keys on (a pragma that cannot change inside the migration's transaction)
  // dropping the old orders table would cascade to every order line and event.
  await db.raw('alter table ?? drop column ??', [p.orderLines, 'fulfilled_quantity'])
  await db.raw('alter table ?? drop column ??', [p.orders, 'fulfillment_status'])
}
