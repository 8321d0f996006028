import { setTimeout as sleep } from 'node:timers/promises'
import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { isTransientError, isUniqueViolation } from '../sql/driver-errors.js'

/*
 * A lock for a MariaDB Galera cluster, where GET_LOCK and LOCK TABLES hold on one node only. The lock
 * is a row, taken by a write that Galera replicates and certifies: of nodes racing for it, exactly one
 * commits (the others get a duplicate key, or a certification conflict, 1213). The row carries a lease
 * on the database clock, renewed while the holder works, so a holder that crashed blocks the others
 * for one lease at most.
 */

/** How long a lease lasts without renewal. The holder renews it every third of that. */
export const LEASE_SECONDS = 30
const WAIT_SECONDS = 120
const POLL_MS = { min: 50, max: 200 }

/**
 * Runs `fn` while holding the cluster-wide lease `name` in `table` (created when missing), then releases
 * it, also when `fn` throws.
 *
 * @param db - A Knex instance on a Galera node (not a transaction: each lease statement commits alone).
 * @param table - The lease table.
 * @param name - The lock's name, at most 64 characters.
 * @param fn - The work to do under the lock.
 * @throws an Error when the lease cannot be taken within two minutes.
 */
export async function withClusterLease<T>(
  db: Knex,
  table: string,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  await createLeaseTable(db, table)
  const holder = uuidv7()
  const deadline = Date.now() + WAIT_SECONDS * 1000
  while (!(await tryTake(db, table, name, holder))) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${WAIT_SECONDS}s waiting for the cluster-wide migration lease`)
    }
    await sleep(POLL_MS.min + Math.random() * (POLL_MS.max - POLL_MS.min))
  }
  const renewal = setInterval(
    () => {
      db(table)
        .where({ name, holder })
        .update({ expires_at: db.raw('now(6) + interval ? second', [LEASE_SECONDS]) })
        .catch(() => {
          // A missed renewal only shortens the lease; the next one, or the release, tries again.
        })
    },
    (LEASE_SECONDS * 1000) / 3,
  )
  try {
    return await fn()
  } finally {
    clearInterval(renewal)
    // Rollback drops the table with everything else; a release that fails otherwise leaves the lease
    // to expire, which only delays the next holder.
    await db(table)
      .where({ name, holder })
      .delete()
      .catch(() => undefined)
  }
}

// IF NOT EXISTS: nodes racing to create it all succeed (Galera runs DDL in total order).
async function createLeaseTable(db: Knex, table: string): Promise<void> {
  await db.raw(
    'create table if not exists ?? (name varchar(64) not null primary key, holder char(36) not null, ' +
      'expires_at datetime(6) not null) engine = InnoDB',
    [table],
  )
}

/** MySQL's "table doesn't exist". */
const NO_SUCH_TABLE = 1146

/** One attempt: insert the lock row, or take it over once its lease has expired. */
async function tryTake(db: Knex, table: string, name: string, holder: string): Promise<boolean> {
  const expires = db.raw('now(6) + interval ? second', [LEASE_SECONDS])
  try {
    await db(table).insert({ name, holder, expires_at: expires })
    return true
  } catch (error) {
    if (isTransientError(error)) return false // another node's insert won certification
    // A rollback on another node dropped the table with the library's others: the next attempt
    // finds the migrations gone, and nothing to do.
    if ((error as { errno?: unknown }).errno === NO_SUCH_TABLE) {
      await createLeaseTable(db, table)
      return false
    }
    if (!isUniqueViolation(error)) throw error
  }
  try {
    const taken = await db(table)
      .where({ name })
      .andWhere('expires_at', '<', db.raw('now(6)'))
      .update({ holder, expires_at: expires })
    return taken === 1
  } catch (error) {
    if (isTransientError(error)) return false
    throw error
  }
}
