import type { Knex } from 'knex'
import type { Tables } from '../schema/tables.js'
import type { Dialect } from '../sql/dialect.js'
import { fromDbInt } from '../sql/values.js'
import type { OutboxRow } from './outbox-row.js'

/**
 * Now, in epoch milliseconds, on the database's clock: leases and acknowledgements are stamped by the one
 * clock every claimer shares, so claimers on hosts whose clocks disagree still honour each other's leases.
 */
export function databaseNowMs(dialect: Dialect): string {
  if (dialect === 'postgresql') return '(extract(epoch from clock_timestamp()) * 1000)::bigint'
  if (dialect === 'mysql') return 'cast(unix_timestamp(now(3)) * 1000 as signed)'
  // julianday('now') has millisecond precision; 2440587.5 is the Julian day of the Unix epoch.
  return "cast(round((julianday('now') - 2440587.5) * 86400000) as integer)"
}

const CLAIM_NOW = 'claim_now_ms'

/** What one claim asks for. */
export interface ClaimRequest {
  readonly limit: number
  readonly leaseMs: number
}

/**
 * Leases up to `limit` claimable events (unacknowledged, lease past) in `trx`, oldest (smallest id) first,
 * and returns their rows as they are after the claim. Claimability is a row's state, never a watermark
 * such as "the highest id seen": ids are made before commit, so a write can commit after a later id was
 * already delivered, and it is still found here.
 *
 * - PostgreSQL: one statement; `FOR UPDATE SKIP LOCKED` passes over rows another claimer is leasing.
 * - MySQL/MariaDB 10.6+: `SELECT … FOR UPDATE SKIP LOCKED`, then one UPDATE of the ids found (no UPDATE
 *   … RETURNING, and no LIMIT in an IN subquery), in a READ COMMITTED transaction so the locking read
 *   takes no gap locks that would hold up writers appending events.
 * - SQLite: one statement under the database's write lock, which serialises claimers.
 */
export async function claimRows(
  trx: Knex,
  dialect: Dialect,
  tables: Tables,
  { limit, leaseMs }: ClaimRequest,
): Promise<OutboxRow[]> {
  const now = databaseNowMs(dialect)
  const claimable = `?? is null and ?? <= ${now}`
  if (dialect === 'mysql') {
    const picked = (await trx.raw(
      `select *, ${now} as ?? from ?? where ${claimable} order by ?? limit ? for update skip locked`,
      [CLAIM_NOW, tables.outbox, 'acked_at', 'leased_until', 'id', limit],
    )) as [Array<OutboxRow & { [CLAIM_NOW]: unknown }>, unknown]
    const rows = picked[0]
    const first = rows[0]
    if (!first) return []
    const leasedUntil = fromDbInt(first[CLAIM_NOW]) + leaseMs
    await trx(tables.outbox)
      .whereIn(
        'id',
        rows.map((r) => r.id),
      )
      .update({ leased_until: leasedUntil, attempts: trx.raw('?? + 1', ['attempts']) })
    return rows.map(({ [CLAIM_NOW]: _, ...row }) => ({
      ...row,
      attempts: fromDbInt(row.attempts) + 1,
      leased_until: leasedUntil,
    }))
  }
  if (dialect === 'postgresql') {
    const result = (await trx.raw(
      `with picked as (select ?? from ?? where ${claimable} order by ?? limit ? for update skip locked)
       update ?? as o set ?? = ${now} + ?, ?? = o.?? + 1 from picked where o.?? = picked.?? returning o.*`,
      [
        'id',
        tables.outbox,
        'acked_at',
        'leased_until',
        'id',
        limit,
        tables.outbox,
        'leased_until',
        leaseMs,
        'attempts',
        'attempts',
        'id',
        'id',
      ],
    )) as { rows: OutboxRow[] }
    return result.rows
  }
  return (await trx.raw(
    `update ?? set ?? = ${now} + ?, ?? = ?? + 1
     where ?? in (select ?? from ?? where ${claimable} order by ?? limit ?) returning *`,
    [
      tables.outbox,
      'leased_until',
      leaseMs,
      'attempts',
      'attempts',
      'id',
      'id',
      tables.outbox,
      'acked_at',
      'leased_until',
      'id',
      limit,
    ],
  )) as OutboxRow[]
}
