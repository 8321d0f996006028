import type { Knex } from 'knex'
import { type CheckoutStore, createCheckoutStore } from '../../src/index.js'
import type { DatabaseName, TestDatabase } from './databases.js'

/**
 * The pool of another "process" on the same database: one connection. On a SQLite file it turns foreign
 * keys on and waits at most `busyTimeoutMs` for a lock: better-sqlite3 waits synchronously, so a long
 * wait would block the very event loop the lock holder needs to commit; SQLITE_BUSY instead makes the
 * store retry the transaction after a backoff.
 */
export function otherProcessPool(name: DatabaseName, busyTimeoutMs = 0): Knex.PoolConfig {
  if (name !== 'sqlite-file') return { min: 0, max: 1 }
  return {
    min: 0,
    max: 1,
    afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
      conn.pragma('foreign_keys = ON')
      conn.pragma(`busy_timeout = ${busyTimeoutMs}`)
      done(null, conn)
    },
  }
}

/**
 * `count` stores on pools of their own, as separate processes would have. An in-memory SQLite database
 * exists on one connection only, so there they all share the test's pool.
 */
export function separateStores(db: TestDatabase, name: DatabaseName, count: number): CheckoutStore[] {
  if (name === 'sqlite-memory') return Array.from({ length: count }, () => createCheckoutStore(db.knex))
  return Array.from({ length: count }, () => createCheckoutStore(db.connect(otherProcessPool(name))))
}
