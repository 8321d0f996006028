import type { Knex } from 'knex'
import { detectDialect } from '../sql/dialect.js'
import { id, jsonText, tableOptions, timestamp } from './columns.js'
import type { Tables } from './tables.js'

/** The first order number handed out is this plus one. */
export const ORDER_NUMBER_START = 1000

/** Name of the counter row that hands out order numbers. */
export const ORDER_NUMBER_COUNTER = 'order_number'

/**
 * The complete first schema: customers with addresses and payment methods, orders with lines,
 * events and idempotency keys, and the counter behind order numbers.
 */
export async function up(db: Knex, tables: Tables): Promise<void> {
  const dialect = detectDialect(db)
  const p = tables

  await db.schema.createTable(p.customers, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary()
    t.string('email', 320).notNullable() // as given, trimmed
    t.string('email_normalized', 320).notNullable() // lower-cased: the uniqueness and lookup key
    t.string('name', 200)
    t.string('phone', 64)
    jsonText(t, 'metadata')
    t.integer('version').notNullable()
    timestamp(t, dialect, 'created_at').notNullable()
    timestamp(t, dialect, 'updated_at').notNullable()
    timestamp(t, dialect, 'anonymized_at')
    t.unique(['email_normalized'], { indexName: `${p.customers}_email_uq` })
    t.index(['created_at', 'id'], `${p.customers}_created_idx`)
  })

  await db.schema.createTable(p.addresses, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary()
    id(t, 'customer_id').notNullable().references('id').inTable(p.customers).onDelete('CASCADE')
    t.string('name', 200).notNullable()
    t.string('company', 200)
    t.string('line1', 200).notNullable()
    t.string('line2', 200)
    t.string('city', 200).notNullable()
    t.string('region', 200)
    t.string('postal_code', 32)
    t.string('country', 2).notNullable() // ISO 3166-1 alpha-2
    t.string('phone', 64)
    // The customer's id while this is their default shipping address, else NULL. A unique index on a
    // nullable column allows one default per customer on every dialect (MySQL has no partial index).
    id(t, 'default_shipping_for')
    id(t, 'default_billing_for') // the same for billing
    t.integer('version').notNullable()
    timestamp(t, dialect, 'created_at').notNullable()
    timestamp(t, dialect, 'updated_at').notNullable()
    t.unique(['default_shipping_for'], { indexName: `${p.addresses}_ship_uq` })
    t.unique(['default_billing_for'], { indexName: `${p.addresses}_bill_uq` })
    t.index(['customer_id', 'created_at', 'id'], `${p.addresses}_customer_idx`)
  })

  // Only what PCI DSS allows to keep: no column could hold a full card number or a security code.
  await db.schema.createTable(p.paymentMethods, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary()
    id(t, 'customer_id').notNullable().references('id').inTable(p.customers).onDelete('CASCADE')
    t.string('provider', 64).notNullable()
    t.string('token', 255).notNullable() // the provider's token (pm_…), never a card number
    t.string('brand', 32).notNullable()
    t.string('last4', 4).notNullable()
    t.smallint('exp_month').notNullable()
    t.smallint('exp_year').notNullable()
    t.string('fingerprint', 255)
    id(t, 'default_for') // the customer's id while this is their default method, else NULL
    t.integer('version').notNullable()
    timestamp(t, dialect, 'created_at').notNullable()
    timestamp(t, dialect, 'updated_at').notNullable()
    t.unique(['customer_id', 'provider', 'token'], { indexName: `${p.paymentMethods}_token_uq` })
    t.unique(['default_for'], { indexName: `${p.paymentMethods}_default_uq` })
  })

  await db.schema.createTable(p.counters, (t) => {
    tableOptions(t, dialect)
    t.string('name', 64).primary()
    t.bigInteger('value').notNullable()
  })
  await db(p.counters).insert({ name: ORDER_NUMBER_COUNTER, value: ORDER_NUMBER_START })

  await db.schema.createTable(p.orders, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary()
    t.bigInteger('number').notNullable() // human-readable, from the counter row
    id(t, 'customer_id').references('id').inTable(p.customers) // NULL for a guest checkout
    t.string('email', 320).notNullable()
    t.string('email_normalized', 320).notNullable()
    t.string('status', 16).notNullable()
    t.string('currency', 3).notNullable()
    t.bigInteger('subtotal').notNullable() // minor units, computed by the library
    t.bigInteger('shipping_total').notNullable()
    t.bigInteger('tax_total').notNullable()
    t.bigInteger('discount_total').notNullable()
    t.bigInteger('total').notNullable()
    jsonText(t, 'shipping_address') // snapshot at purchase
    jsonText(t, 'billing_address') // snapshot at purchase
    jsonText(t, 'payment') // summary: provider, reference, brand, last4
    t.text('note')
    jsonText(t, 'metadata')
    t.integer('version').notNullable()
    timestamp(t, dialect, 'created_at').notNullable()
    timestamp(t, dialect, 'updated_at').notNullable()
    t.unique(['number'], { indexName: `${p.orders}_number_uq` })
    t.index(['created_at', 'id'], `${p.orders}_created_idx`)
    t.index(['customer_id', 'created_at', 'id'], `${p.orders}_customer_idx`)
    t.index(['email_normalized', 'created_at', 'id'], `${p.orders}_email_idx`)
    t.index(['status', 'created_at', 'id'], `${p.orders}_status_idx`)
  })

  await db.schema.createTable(p.orderLines, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary()
    id(t, 'order_id').notNullable().references('id').inTable(p.orders).onDelete('CASCADE')
    t.integer('position').notNullable() // the line's place in the order, from 0
    t.string('sku', 100).notNullable()
    t.string('name', 200).notNullable()
    jsonText(t, 'attributes').notNullable() // snapshot: { size: 'M', color: 'blue' }
    t.integer('quantity').notNullable()
    t.bigInteger('unit_price').notNullable()
    t.bigInteger('total').notNullable()
    t.string('product_id', 100)
    t.string('variant_id', 100)
    jsonText(t, 'metadata')
    t.unique(['order_id', 'position'], { indexName: `${p.orderLines}_order_uq` })
  })

  await db.schema.createTable(p.orderEvents, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary()
    id(t, 'order_id').notNullable().references('id').inTable(p.orders).onDelete('CASCADE')
    t.string('type', 32).notNullable() // order_placed | status_changed
    t.string('from_status', 16)
    t.string('to_status', 16)
    t.text('note')
    t.string('actor', 200)
    timestamp(t, dialect, 'created_at').notNullable()
    t.index(['order_id', 'created_at', 'id'], `${p.orderEvents}_order_idx`)
  })

  await db.schema.createTable(p.idempotencyKeys, (t) => {
    tableOptions(t, dialect)
    t.string('key', 255).primary()
    t.string('request_hash', 64).notNullable() // sha256 of the normalised create input
    id(t, 'order_id').notNullable().references('id').inTable(p.orders).onDelete('CASCADE')
    timestamp(t, dialect, 'created_at').notNullable()
  })
}

/** Drops everything {@link up} created, children first. */
export async function down(db: Knex, tables: Tables): Promise<void> {
  const p = tables
  for (const table of [
    p.idempotencyKeys,
    p.orderEvents,
    p.orderLines,
    p.orders,
    p.counters,
    p.paymentMethods,
    p.addresses,
    p.customers,
  ]) {
    await db.schema.dropTableIfExists(table)
  }
}
