import type { Knex } from 'knex'
import { detectDialect } from '../sql/dialect.js'
import { id, jsonText, tableOptions, timestamp } from './columns.js'
import type { Tables } from './tables.js'

/*
 * The transactional outbox. Every write appends its events here in its own transaction; relays claim,
 * deliver and acknowledge them.
 *
 * Sequence numbers come from a counter column on the aggregate's root row (`customers.outbox_sequence`,
 * `orders.outbox_sequence`): a write bumps it in the same transaction, usually inside the UPDATE it makes
 * anyway, so the root row's lock orders the writers of one aggregate, the numbers are those of commit
 * order, and a rollback takes its numbers back with it. A separate counter table would cost every write a
 * statement more; the root row is already locked by every write of the aggregate.
 */

/** The index names under this prefix. */
export function outboxIndexNames(tables: Tables) {
  return {
    sequence: `${tables.outbox}_aggregate_uq`,
    pending: `${tables.outbox}_pending_idx`,
    acked: `${tables.outbox}_acked_idx`,
  }
}

/** Creates the outbox table and the sequence counters. */
export async function up(db: Knex, tables: Tables): Promise<void> {
  const dialect = detectDialect(db)
  const names = outboxIndexNames(tables)
  for (const root of [tables.customers, tables.orders]) {
    await db.schema.alterTable(root, (t) => {
      t.integer('outbox_sequence').notNullable().defaultTo(0) // the last outbox sequence of this aggregate
    })
  }
  await db.schema.createTable(tables.outbox, (t) => {
    tableOptions(t, dialect)
    id(t, 'id').primary() // UUIDv7 made in code: a consumer's de-duplication key
    t.string('type', 64).notNullable() // such as order.placed
    t.string('aggregate_type', 16).notNullable() // customer or order
    id(t, 'aggregate_id').notNullable()
    t.integer('sequence').notNullable() // 1, 2, 3… per aggregate, in commit order
    jsonText(t, 'payload').notNullable() // thin: ids, numbers, statuses, amounts; no personal data
    timestamp(t, dialect, 'occurred_at').notNullable()
    t.integer('attempts').notNullable().defaultTo(0) // how often it was claimed
    // Milliseconds since the epoch on the database's clock, so claimers on several hosts agree.
    t.bigInteger('leased_until').notNullable().defaultTo(0) // claimable again once past
    t.bigInteger('acked_at') // NULL until acknowledged
    // Also what keeps two writers of one aggregate from ever taking the same number.
    t.unique(['aggregate_type', 'aggregate_id', 'sequence'], { indexName: names.sequence })
    // MySQL has no partial index: (acked_at, id) reads the unacked rows (acked_at IS NULL) in id order
    // and serves prune's range on acked_at.
    if (dialect === 'mysql') t.index(['acked_at', 'id'], names.pending)
  })
  if (dialect !== 'mysql') {
    // Only the unacked rows, in claim order: claim stays an index range however many acked rows are kept.
    await db.raw('create index ?? on ?? (??) where ?? is null', [
      names.pending,
      tables.outbox,
      'id',
      'acked_at',
    ])
    // Prune's range over acked rows; a new event is not in it, so appending one does not touch it.
    await db.raw('create index ?? on ?? (??) where ?? is not null', [
      names.acked,
      tables.outbox,
      'acked_at',
      'acked_at',
    ])
  }
}

/** Drops the outbox table and the sequence counters. */
export async function down(db: Knex, tables: Tables): Promise<void> {
  await db.schema.dropTable(tables.outbox)
  // Plain ALTER TABLE … DROP COLUMN on every dialect (SQLite 3.35+): Knex would rebuild a SQLite table by
  // copying it, which the foreign keys pointing at customers and orders would not survive.
  for (const root of [tables.customers, tables.orders]) {
    await db.raw('alter table ?? drop column ??', [root, 'outbox_sequence'])
  }
}
