import type { Knex } from 'knex'
import { ConfigurationError } from './errors.js'
import type { Tables } from './schema/tables.js'
import type { Dialect } from './sql/dialect.js'
import { runTransaction } from './sql/transactions.js'

/**
 * What every repository gets: one executor (a Knex instance or a transaction), its dialect, the
 * table names, and the one way to write.
 */
export interface StoreContext {
  /** Reads run here. */
  readonly db: Knex
  readonly dialect: Dialect
  readonly tables: Tables
  /**
   * Runs `fn` atomically: in a new transaction (retried as a whole on transient errors) when the store
   * owns its connection, or in a savepoint inside the transaction the store is bound to, so a failed
   * call never leaves part of its writes behind and leaves the outer transaction usable.
   */
  write<T>(fn: (trx: Knex.Transaction) => Promise<T>): Promise<T>
}

/** Builds the context for a store over `db`, a Knex instance or a transaction. */
export function createStoreContext(db: Knex, dialect: Dialect, tables: Tables): StoreContext {
  let checked: Promise<void> | undefined
  // SQLite only enforces foreign keys when the connection says so: a per-connection pragma that
  // belongs in the host's pool afterCreate. Without it, orders could point at missing customers.
  const ready = (): Promise<void> => {
    if (dialect !== 'sqlite3') return Promise.resolve()
    checked ??= assertSqliteForeignKeys(db).catch((error: unknown) => {
      checked = undefined
      throw error
    })
    return checked
  }
  return {
    db,
    dialect,
    tables,
    async write(fn) {
      await ready()
      return runTransaction(db, dialect, fn)
    },
  }
}

async function assertSqliteForeignKeys(db: Knex): Promise<void> {
  const rows = (await db.raw('pragma foreign_keys')) as Array<{ foreign_keys?: unknown }>
  if (Number(rows[0]?.foreign_keys) !== 1) {
    throw new ConfigurationError(
      'SQLite foreign keys are off on this connection. Turn them on in the pool: ' +
        "pool: { afterCreate: (conn, done) => { conn.pragma('foreign_keys = ON'); done(null, conn) } }",
    )
  }
}
