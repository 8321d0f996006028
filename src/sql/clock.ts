import type { Dialect } from './dialect.js'

/*
 * The database's clock, for timestamps that must agree with the order in which the database serialised
 * the writes, whatever the app hosts' clocks say (two hosts a few milliseconds, or seconds, apart would
 * otherwise list orders out of number order, or a `shipped` event before its `paid`).
 *
 * Each dialect gives integer milliseconds since the Unix epoch, in UTC, read when the statement runs:
 * - PostgreSQL: `clock_timestamp()`, the time at evaluation (not `now()`, which is the transaction's
 *   start and would be stale inside a host's long transaction);
 * - MySQL/MariaDB: `UTC_TIMESTAMP(6)`, the statement's start in UTC whatever the session time zone is;
 *   it is turned into a number in SQL, so DATETIME's missing zone never comes into it, and the `Date`
 *   made from it is written as the driver writes every other `Date`;
 * - SQLite: `julianday('now')`, the clock of the machine running the writing process (there is no
 *   server), read inside the write lock.
 */

/** A SQL expression for the database's current time, as integer milliseconds since the epoch (UTC). */
export function clockMillisSql(dialect: Dialect): string {
  if (dialect === 'postgresql') return 'floor(extract(epoch from clock_timestamp()) * 1000)::bigint'
  if (dialect === 'mysql')
    return "timestampdiff(microsecond, '1970-01-01 00:00:00', utc_timestamp(6)) div 1000"
  return "cast(round((julianday('now') - 2440587.5) * 86400000) as integer)"
}
