import { setTimeout as sleep } from 'node:timers/promises'
import type { Knex } from 'knex'
import { ConfigurationError } from '../errors.js'
import { type Dialect, detectDialect } from '../sql/dialect.js'

/**
 * How long a read waits for the PostgreSQL replica to replay this store's latest write before it goes
 * to the primary instead. Replay lag on a healthy replica is around a millisecond.
 */
export const MAX_REPLICA_WAIT_MS = 100
const POLL_MS = 1

/**
 * Where a store's plain reads go. With a reader, a read goes there once the reader has every write this
 * store has committed, so a read after a write of this store never misses it (read-your-writes within
 * the process); otherwise it goes to the primary.
 */
export interface ReadRouter {
  /** The executor for one plain read: the reader when it is safe, else the primary. */
  reader(): Promise<Knex>
  /** Notes that a write of this store has ended (committed, or failed at an unknown point). */
  wrote(): void
}

/** A router that sends every read to `db`: no reader, or a store bound to a transaction. */
export function primaryOnly(db: Knex): ReadRouter {
  return { reader: () => Promise.resolve(db), wrote: () => {} }
}

/**
 * The router for a store over `db` given the `reader` option: checked, then {@link createReadRouter}, or
 * every read on the primary when there is none.
 *
 * @throws `CONFIGURATION_INVALID` for a reader that is not a Knex instance, is a transaction, is of
 * another database family than `db`, or is given on SQLite or with a store over a transaction
 */
export function routeReads(db: Knex, dialect: Dialect, reader: unknown): ReadRouter {
  if (reader === undefined) return primaryOnly(db)
  const isKnex = typeof reader === 'function' && typeof (reader as { client?: unknown }).client === 'object'
  if (!isKnex || (reader as Knex).isTransaction) {
    throw new ConfigurationError(
      'The reader option must be a Knex instance (not a transaction) on a replica.',
    )
  }
  if (db.isTransaction) {
    throw new ConfigurationError(
      'A store over a transaction reads inside it: create it without a reader, or over the Knex instance.',
    )
  }
  if (dialect === 'sqlite3') {
    throw new ConfigurationError('SQLite has no replicas: create the store without a reader.')
  }
  const readerDialect = (() => {
    try {
      return detectDialect(reader as Knex)
    } catch {
      return undefined
    }
  })()
  if (readerDialect !== dialect) {
    throw new ConfigurationError(
      `The reader must be a replica of the primary, on the same database family (${dialect}).`,
    )
  }
  return createReadRouter(db, reader as Knex, dialect)
}

/**
 * The router for a store over `primary` with `reader`, both of `dialect` (checked by the caller).
 *
 * - PostgreSQL: after a write, the next read asks the primary for its WAL position
 *   (`pg_current_wal_lsn()`, taken after the commit, so it covers it) and waits, polling, until the
 *   replica's `pg_last_wal_replay_lsn()` reaches it, for {@link MAX_REPLICA_WAIT_MS} at most; then it
 *   reads the primary. A replica that cannot be asked, or a reader that is not a standby, is treated
 *   the same way, at once.
 * - MariaDB/MySQL: there is no position to wait for that every set-up has, so reads go to the reader
 *   only when it is a Galera node whose sessions wait for causality (`wsrep_sync_wait` with bit 1, set
 *   in the reader pool's `afterCreate`); otherwise to the primary.
 */
export function createReadRouter(primary: Knex, reader: Knex, dialect: Dialect): ReadRouter {
  return dialect === 'postgresql' ? walRouter(primary, reader) : causalGaleraRouter(primary, reader)
}

function walRouter(primary: Knex, reader: Knex): ReadRouter {
  let committed = 0 // writes of this store that have ended
  let covered = 0 // how many of them `target` covers
  let target = 0n // the primary's WAL position after those writes
  let replayed = 0n // the highest replay position seen on the replica
  let asking: { upTo: number; done: Promise<void> } | undefined

  // The primary's position after write number `upTo`, asked once for any number of waiting reads. A
  // question sent now covers every write that has ended so far.
  const cover = (upTo: number): Promise<void> => {
    if (asking && asking.upTo >= upTo) return asking.done
    const sent = committed
    const done = currentLsn(primary).then((lsn) => {
      if (lsn > target) target = lsn
      if (sent > covered) covered = sent
    })
    const mine = { upTo: sent, done }
    asking = mine
    const clear = () => {
      if (asking === mine) asking = undefined
    }
    done.then(clear, clear)
    return done
  }

  return {
    wrote() {
      committed++
    },
    async reader() {
      const upTo = committed
      if (covered < upTo) await cover(upTo)
      if (replayed >= target) return reader
      const deadline = Date.now() + MAX_REPLICA_WAIT_MS
      for (;;) {
        try {
          const lsn = await replayLsn(reader)
          // Not a standby: nothing says it has this store's writes.
          if (lsn === undefined) return primary
          if (lsn > replayed) replayed = lsn
        } catch {
          return primary
        }
        if (replayed >= target) return reader
        if (Date.now() >= deadline) return primary
        await sleep(POLL_MS)
      }
    },
  }
}

async function currentLsn(db: Knex): Promise<bigint> {
  const { rows } = (await db.raw('select pg_current_wal_lsn()::text as lsn')) as {
    rows: Array<{ lsn: string }>
  }
  return parseLsn(rows[0]?.lsn)
}

/** The standby's replay position; `undefined` when the server is not a standby. */
async function replayLsn(db: Knex): Promise<bigint | undefined> {
  const { rows } = (await db.raw('select pg_last_wal_replay_lsn()::text as lsn')) as {
    rows: Array<{ lsn: string | null }>
  }
  const lsn = rows[0]?.lsn
  return typeof lsn === 'string' ? parseLsn(lsn) : undefined
}

/** A pg_lsn ('16/B374D848': two 32-bit halves in hex) as one number; an unknown one as 0. */
export function parseLsn(lsn: string | undefined): bigint {
  const match = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(lsn ?? '')
  if (!match) return 0n
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`)
}

function causalGaleraRouter(primary: Knex, reader: Knex): ReadRouter {
  let decided: Promise<Knex> | undefined
  return {
    wrote() {},
    reader() {
      decided ??= causalReads(reader).then(
        (causal) => (causal ? reader : primary),
        () => {
          decided = undefined
          return primary
        },
      )
      return decided
    },
  }
}

/** True when `db`'s sessions wait for the cluster before reading (Galera's `wsrep_sync_wait` bit 1). */
async function causalReads(db: Knex): Promise<boolean> {
  const [rows] = (await db.raw("show variables where variable_name in ('wsrep_on', 'wsrep_sync_wait')")) as [
    Array<{ Variable_name: string; Value: unknown }>,
  ]
  const value = (name: string) => rows.find((r) => r.Variable_name.toLowerCase() === name)?.Value
  return String(value('wsrep_on')).toUpperCase() === 'ON' && (Number(value('wsrep_sync_wait')) & 1) === 1
}
