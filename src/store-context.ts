import type { Knex } from 'knex'
import { ConfigurationError } from './errors.js'
import { primaryOnly, type ReadRouter } from './replication/read-routing.js'
import {
  inspectServer,
  readOnlyServerError,
  type ServerRole,
  SINGLE_WRITABLE,
} from './replication/server-role.js'
import type { Tables } from './schema/tables.js'
import type { Dialect } from './sql/dialect.js'
import { isReadOnlyError } from './sql/driver-errors.js'
import { GALERA_RETRY, runTransaction } from './sql/transactions.js'

/**
 * What every repository gets: one executor (a Knex instance or a transaction), its dialect, the
 * table names, the one way to write, and where plain reads go.
 */
export interface StoreContext {
  /** The primary: writes, and every read a write depends on (idempotency look-ups, pre-reads). */
  readonly db: Knex
  readonly dialect: Dialect
  readonly tables: Tables
  /**
   * The executor for a plain read, one no write depends on (`get`, `find…`, `list`, `events`): the
   * store's reader once it holds this store's writes, else the primary. Every plain read asks here.
   */
  reader(): Promise<Knex>
  /**
   * Runs `fn` atomically: in a new transaction (retried as a whole on transient errors) when the store
   * owns its connection, or in a savepoint inside the transaction the store is bound to, so a failed
   * call never leaves part of its writes behind and leaves the outer transaction usable. `fn` also gets
   * what the store knows of the server (a Galera node numbers orders differently).
   */
  write<T>(fn: (trx: Knex.Transaction, server: ServerRole) => Promise<T>): Promise<T>
}

/** What a store and the stores bound to its transactions share. */
export interface SharedState {
  /** Where plain reads go, told about every write. */
  readonly router: ReadRouter
  /** The server's role, asked once per store (MariaDB/MySQL only: Galera, read_only). */
  role(executor: Knex): Promise<ServerRole>
}

/** The shared state of a store, with `router` for its plain reads. */
export function createSharedState(dialect: Dialect, router: ReadRouter): SharedState {
  let role: Promise<ServerRole> | undefined
  return {
    router,
    role(executor) {
      // pg reports a standby or a read-only session itself, on the first write (SQLSTATE 25006).
      if (dialect !== 'mysql') return Promise.resolve(SINGLE_WRITABLE)
      // Asked on the caller's executor: inside a transaction the pool may have no other connection to
      // lend (a pool of one would wait for itself), and the transaction's server is the one that matters.
      role ??= inspectServer(executor, dialect).catch((error: unknown) => {
        role = undefined
        throw error
      })
      return role
    },
  }
}

/**
 * Builds the context for a store over `db`, a Knex instance or a transaction. `shared` comes from the
 * store a transaction-bound store belongs to; a store of its own makes it.
 */
export function createStoreContext(
  db: Knex,
  dialect: Dialect,
  tables: Tables,
  shared: SharedState = createSharedState(dialect, primaryOnly(db)),
): StoreContext {
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
  // A store bound to a transaction reads inside it; its writes reach the router when the owner commits.
  const router = db.isTransaction ? primaryOnly(db) : shared.router
  return {
    db,
    dialect,
    tables,
    reader: () => router.reader(),
    async write(fn) {
      await ready()
      const server = await shared.role(db)
      // MariaDB's read_only binds only users without the READ ONLY ADMIN privilege: refuse for all.
      if (server.readOnly) throw readOnlyServerError()
      try {
        return await runTransaction(db, dialect, (trx) => fn(trx, server), {
          ...(server.galera ? { policy: GALERA_RETRY } : {}),
        })
      } catch (error) {
        if (isReadOnlyError(error)) throw readOnlyServerError()
        throw error
      } finally {
        router.wrote()
      }
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
