import { resolve } from 'node:path'
import type { Knex } from 'knex'
import type { Dialect } from './dialect.js'
import { isTransientError } from './driver-errors.js'

/** How often a transaction that failed with a transient error is run again, in all. */
export const MAX_ATTEMPTS = 6

/** How a transaction that failed with a transient error is run again. */
export interface RetryPolicy {
  /** Runs in all, the first included. */
  readonly attempts: number
  /** The backoff before run n + 1 is jittered between half and all of min(max, base · 2ⁿ) ms. */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

/** On a single server, where a conflict means two writers met on one row. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: MAX_ATTEMPTS, baseDelayMs: 8, maxDelayMs: 250 }

/**
 * On a MariaDB Galera cluster with writers on several nodes, a conflict is found only at commit, or when
 * another node's write set aborts a running transaction, so the loser has done all its work by then, and
 * a burst of writers on one row (an idempotency key, a block of order numbers) loses more rounds. More
 * runs, and a longer backoff that spreads the rounds out, keep such a burst from reaching the caller.
 */
export const GALERA_RETRY: RetryPolicy = { attempts: 12, baseDelayMs: 10, maxDelayMs: 800 }

/**
 * Runs `fn` atomically and commits. On a Knex instance it opens a new transaction; when that fails
 * with a transient error (deadlock, serialization failure, lock timeout, SQLITE_BUSY) the whole
 * transaction runs again after a jittered, bounded, exponential backoff, unless `retry` is false.
 * Any other error, or the last transient one, is thrown. On a transaction it opens a savepoint, so a
 * failure undoes only `fn`'s writes and the outer transaction stays usable; the outer transaction's
 * owner decides about retries. `isolationLevel` applies to a new transaction on a server database.
 */
export async function runTransaction<T>(
  db: Knex,
  dialect: Dialect,
  fn: (trx: Knex.Transaction) => Promise<T>,
  options: { retry?: boolean; isolationLevel?: Knex.IsolationLevels; policy?: RetryPolicy } = {},
): Promise<T> {
  if (db.isTransaction) return db.transaction(fn)
  const policy = options.policy ?? DEFAULT_RETRY
  const attempts = options.retry === false ? 1 : policy.attempts
  const mutex = dialect === 'sqlite3' ? sqliteWriteMutex(db) : undefined
  // SQLite has no isolation levels; a savepoint (above) keeps its outer transaction's.
  const config = options.isolationLevel && !mutex ? { isolationLevel: options.isolationLevel } : undefined
  for (let attempt = 1; ; attempt++) {
    try {
      return mutex ? await mutex.run(() => db.transaction(fn)) : await db.transaction(fn, config)
    } catch (error) {
      if (attempt >= attempts || !isTransientError(error)) throw error
      await sleep(backoff(policy, attempt))
    }
  }
}

function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  return ceiling / 2 + Math.random() * (ceiling / 2)
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * better-sqlite3 is synchronous: with two pooled connections, a second writer's busy wait blocks the
 * event loop that would let the first writer commit, until SQLITE_BUSY. So the store's own write
 * transactions on one database file take turns here, in this process; busy_timeout still covers other
 * processes.
 */
class Mutex {
  #tail: Promise<unknown> = Promise.resolve()

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn)
    // The next caller waits for this one to settle, whether it succeeded or not.
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}

// One mutex per database file in this process, so that several Knex instances on one file (a second pool,
// a second store) take turns too: between two of them the busy wait would block the event loop just the
// same. In-memory databases belong to one connection, and a filename Knex resolves later is unknown here:
// those are keyed by the Knex client, which every store over the same Knex instance shares.
const fileMutexes = new Map<string, Mutex>()
const clientMutexes = new WeakMap<object, Mutex>()

function sqliteWriteMutex(db: Knex): Mutex {
  const file = sqliteFile(db)
  if (file !== undefined) {
    let mutex = fileMutexes.get(file)
    if (!mutex) {
      mutex = new Mutex()
      fileMutexes.set(file, mutex)
    }
    return mutex
  }
  let mutex = clientMutexes.get(db.client)
  if (!mutex) {
    mutex = new Mutex()
    clientMutexes.set(db.client, mutex)
  }
  return mutex
}

/** The absolute path of the SQLite file behind `db`, when it is a plain file name. */
function sqliteFile(db: Knex): string | undefined {
  const settings: unknown = (db.client as { connectionSettings?: unknown }).connectionSettings
  const filename =
    typeof settings === 'object' && settings !== null
      ? (settings as { filename?: unknown }).filename
      : undefined
  if (
    typeof filename !== 'string' ||
    filename === '' ||
    filename === ':memory:' ||
    filename.startsWith('file:')
  ) {
    return undefined
  }
  return resolve(filename)
}
