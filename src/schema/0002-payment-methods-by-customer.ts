import type { Knex } from 'knex'
import type { Tables } from './tables.js'

/*
 * customers.get and customers.list load each customer's payment methods ordered by (created_at, id).
 * The only index starting with customer_id was the unique (customer_id, provider, token), which finds
 * the rows but not in that order, so every read sorted them. This index serves the filter and the order.
 */

const COLUMNS = ['customer_id', 'created_at', 'id']

/** The index's name under this prefix. */
export function indexName(tables: Tables): string {
  return `${tables.paymentMethods}_customer_idx`
}

/** Adds the index on `payment_methods (customer_id, created_at, id)`. */
export async function up(db: Knex, tables: Tables): Promise<void> {
  await db.schema.alterTable(tables.paymentMethods, (t) => {
    t.index(COLUMNS, indexName(tables))
  })
}

/**
 * Drops the index. On MySQL the foreign key on customer_id stays served by the unique
 * (customer_id, provider, token) index, so the drop is allowed.
 */
export async function down(db: Knex, tables: Tables): Promise<void> {
  await db.schema.alterTable(tables.paymentMethods, (t) => {
    t.dropIndex(COLUMNS, indexName(tables))
  })
}
