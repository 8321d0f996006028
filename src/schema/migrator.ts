import { createHash } from 'node:crypto'
import type { Knex } from 'knex'
import { withClusterLease } from '../replication/cluster-lease.js'
import { convergeDdl } from '../replication/convergent-ddl.js'
import { inspectServer, readOnlyServerError } from '../replication/server-role.js'
import type { Dialect } from '../sql/dialect.js'
import { runTransaction } from '../sql/transactions.js'
import { migrationsFor } from './migration-source.js'
import type { Tables } from './tables.js'

/*
 * The library's own migrator. Knex's migrator guards itself with a lock row that a crashed process
 * leaves set, after which every later run fails until someone clears it by hand. Here each run holds
 * a lock the database frees when the session ends, on one connection that does all the work:
 * - PostgreSQL: pg_advisory_xact_lock inside one transaction; DDL is transactional, so a failed
 *   migration leaves nothing behind.
 * - MySQL/MariaDB: GET_LOCK on the session (DDL commits implicitly, so a transaction cannot hold it).
 * - MariaDB Galera: GET_LOCK holds on one node only, so a lease row that the cluster replicates
 *   (cluster-lease.ts), and DDL that counts "already exists" as done (convergent-ddl.ts).
 * - SQLite: the transaction's first statement writes, which takes the database's write lock
 *   (BEGIN IMMEDIATE in effect); other processes wait on busy_timeout.
 * The log table has the columns Knex's migrator uses, so a host can switch to running
 * `store.migrationSource` with `tableName` set to the same table.
 */

const MYSQL_LOCK_TIMEOUT_SECONDS = 120

/** Applies every migration not yet in the log. Returns the names applied. */
export async function migrateLatest(db: Knex, dialect: Dialect, tables: Tables): Promise<string[]> {
  return withMigrationLock(db, dialect, tables, async (trx) => {
    await ensureLogTable(trx, tables)
    const applied = await appliedNames(trx, tables)
    const pending = migrationsFor(tables).filter((m) => !applied.has(m.name))
    if (pending.length === 0) return []
    const batch = (await lastBatch(trx, tables)) + 1
    for (const migration of pending) {
      await migration.up(trx)
      await trx(tables.migrations).insert({ name: migration.name, batch, migration_time: new Date() })
    }
    return pending.map((m) => m.name)
  })
}

/** Reverts every applied migration, newest first, then drops the log: the library's tables only. */
export async function rollbackAll(db: Knex, dialect: Dialect, tables: Tables): Promise<string[]> {
  return withMigrationLock(db, dialect, tables, async (trx) => {
    if (!(await trx.schema.hasTable(tables.migrations))) return []
    const applied = await appliedNames(trx, tables)
    const toRevert = migrationsFor(tables)
      .filter((m) => applied.has(m.name))
      .reverse()
    for (const migration of toRevert) {
      await migration.down(trx)
      await trx(tables.migrations).where({ name: migration.name }).delete()
    }
    await trx.schema.dropTableIfExists(tables.migrationsLock)
    await trx.schema.dropTableIfExists(tables.migrationLease)
    await trx.schema.dropTableIfExists(tables.migrations)
    return toRevert.map((m) => m.name)
  })
}

async function withMigrationLock<T>(
  db: Knex,
  dialect: Dialect,
  tables: Tables,
  fn: (trx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  const lockName = `checkout-store:${tables.migrations}`
  // A standby (or a read-only server) would answer "nothing to do" from what it replicated, or fail
  // half-way: say so instead.
  const server = dialect === 'sqlite3' ? undefined : await inspectServer(db, dialect)
  if (server?.readOnly) throw readOnlyServerError()
  if (server?.galera && !db.isTransaction) {
    return withClusterLease(db, tables.migrationLease, lockName.slice(0, 64), () =>
      runTransaction(db, dialect, (trx) => {
        convergeDdl(trx)
        return fn(trx)
      }),
    )
  }
  return runTransaction(db, dialect, async (trx) => {
    if (dialect === 'postgresql') {
      await trx.raw('select pg_advisory_xact_lock(?::bigint)', [advisoryKey(lockName)])
      return fn(trx)
    }
    if (dialect === 'mysql') {
      const [rows] = (await trx.raw('select get_lock(?, ?) as acquired', [
        lockName.slice(0, 64),
        MYSQL_LOCK_TIMEOUT_SECONDS,
      ])) as [Array<{ acquired: unknown }>]
      if (Number(rows[0]?.acquired) !== 1) {
        throw new Error(`Timed out after ${MYSQL_LOCK_TIMEOUT_SECONDS}s waiting for the migration lock`)
      }
      try {
        return await fn(trx)
      } finally {
        await trx.raw('select release_lock(?)', [lockName.slice(0, 64)])
      }
    }
    // SQLite: BEGIN is deferred, and a transaction that has read cannot wait for the write lock (it gets
    // SQLITE_BUSY at once). So write first: create the log if missing, then a delete that matches no
    // row, which takes the write lock even when the table already existed.
    await trx.raw(
      'create table if not exists ?? (id integer not null primary key autoincrement, name varchar(255), batch integer, migration_time datetime)',
      [tables.migrations],
    )
    await trx(tables.migrations).where('id', '<', 0).delete()
    return fn(trx)
  })
}

async function ensureLogTable(db: Knex, tables: Tables): Promise<void> {
  if (await db.schema.hasTable(tables.migrations)) return
  await db.schema.createTable(tables.migrations, (t) => {
    t.increments('id').primary()
    t.string('name', 255)
    t.integer('batch')
    t.timestamp('migration_time')
  })
}

async function appliedNames(db: Knex, tables: Tables): Promise<Set<string>> {
  const rows: Array<{ name: string }> = await db(tables.migrations).select('name')
  return new Set(rows.map((r) => r.name))
}

async function lastBatch(db: Knex, tables: Tables): Promise<number> {
  const row = (await db(tables.migrations).max({ batch: 'batch' }).first()) as { batch: unknown } | undefined
  return row?.batch == null ? 0 : Number(row.batch)
}

// A stable signed 64-bit key for pg's advisory locks, from the lock's name.
function advisoryKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString()
}
