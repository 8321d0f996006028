import type { Knex } from 'knex'
import { ConfigurationError } from '../errors.js'

/** The three database families the store supports, named after Knex's dialect ids. */
export type Dialect = 'postgresql' | 'mysql' | 'sqlite3'

/**
 * Reads the dialect from the Knex client. `knex.client.dialect` is set by every built-in client
 * (`pg` and `postgres` report `postgresql`, `mysql2` reports `mysql`, `better-sqlite3` reports `sqlite3`).
 */
export function detectDialect(db: Knex): Dialect {
  const dialect: unknown = (db.client as { dialect?: unknown }).dialect
  if (dialect === 'postgresql' || dialect === 'mysql' || dialect === 'sqlite3') return dialect
  throw new ConfigurationError(
    `checkout-store supports PostgreSQL (pg), MySQL/MariaDB (mysql2) and SQLite (better-sqlite3); ` +
      `this Knex client reports dialect ${JSON.stringify(dialect)}.`,
  )
}
