import type { Knex } from 'knex'
import { detectDialect } from '../sql/dialect.js'
import { id, tableOptions, timestamp } from './columns.js'
import type { Tables } from './tables.js'

/*
 * Erasure. Guest orders placed under an email a customer had before changing it are that person's data
 * too, so `customers.update` keeps each email it replaces, normalised, in `customer_emails`, in the same
 * transaction; `customers.anonymize` erases the guest orders under every one of them, then the history.
 */

/** Adds the history of customers' previous emails. */
export async function up(db: Knex, tables: Tables): Promise<void> {
  const dialect = detectDialect(db)
  await db.schema.createTable(tables.customerEmails, (t) => {
    tableOptions(t, dialect)
    id(t, 'customer_id').notNullable().references('id').inTable(tables.customers).onDelete('CASCADE')
    t.string('email_normalized', 320).notNullable() // an email the customer had, lower-cased
    timestamp(t, dialect, 'replaced_at').notNullable() // when an update replaced it
    // One row per customer and email: changing back and forth keeps the first time it was replaced.
    t.primary(['customer_id', 'email_normalized'], `${tables.customerEmails}_pk`)
  })
}

/** Removes what {@link up} added: the history only, customers and orders stay. */
export async function down(db: Knex, tables: Tables): Promise<void> {
  await db.schema.dropTableIfExists(tables.customerEmails)
}
