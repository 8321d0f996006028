import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { NotFoundError } from '../errors.js'
import type { Tables } from '../schema/tables.js'
import type { Dialect } from '../sql/dialect.js'
import { insertRowsTogether, type RowsOf } from '../sql/multi-row-insert.js'
import { execute, identifiers, SqlFragment, sqlText } from '../sql/statements.js'
import { toDbDate, toDbJson } from '../sql/values.js'
import type { OutboxAggregateType } from './outbox.js'
import type { OutboxRow } from './outbox-row.js'

export type { OutboxAggregateType } from './outbox.js'

/** An event a write is about to append, before the outbox gives it an id and a sequence number. */
export interface OutboxEventDraft {
  /** Such as `order.placed` or `payment.captured` (see `OutboxEventType`). */
  readonly type: string
  readonly aggregateType: OutboxAggregateType
  readonly aggregateId: string
  /** Thin: ids, numbers, statuses, amounts, currency; never personal data. */
  readonly payload: Readonly<Record<string, unknown>>
  /** When the write happened; now when left out. */
  readonly occurredAt?: Date | undefined
}

/**
 * Where each aggregate's sequence numbers come from. The counter is the `outbox_sequence` column of the
 * aggregate's root row (`customers`, `orders`); its row lock orders the writers of one aggregate.
 * - `'bump'`: the writer adds the aggregate's number of events to the counter itself (one UPDATE per
 *   aggregate, which also takes the row lock).
 * - `'bumped'`: the caller's own UPDATE of the root row, in this transaction, already added them.
 * - `'new'`: the root row was inserted in this transaction with the counter at its number of events.
 */
export type OutboxSequenceSource = 'bump' | 'bumped' | 'new'

/** The counter column on every aggregate root. */
export const OUTBOX_SEQUENCE_COLUMN = 'outbox_sequence'

/**
 * The SET clause that advances an aggregate's counter by one event, to spread into the UPDATE a write makes
 * of the root row anyway; then append with `'bumped'`.
 */
export function advanceSequence(trx: Knex.Transaction): Record<string, Knex.Raw> {
  return { [OUTBOX_SEQUENCE_COLUMN]: trx.raw('?? + 1', [OUTBOX_SEQUENCE_COLUMN]) }
}

/** The columns of `outbox` a write sets, in the order a multi-row insert binds them. */
const WRITE_COLUMNS = [
  'id',
  'type',
  'aggregate_type',
  'aggregate_id',
  'sequence',
  'payload',
  'occurred_at',
] as const satisfies readonly (keyof OutboxRow)[]

type WriteRow = Record<(typeof WRITE_COLUMNS)[number], Knex.RawBinding | SqlFragment>

/** The table of each aggregate's root row. */
export function aggregateTable(tables: Tables, aggregateType: OutboxAggregateType): string {
  return aggregateType === 'customer' ? tables.customers : tables.orders
}

/**
 * Appends `events` to the outbox inside the write's own transaction `trx`, so they commit or roll back
 * with the write: all of them in one INSERT (more only past 1,000 events). Call it last in every write
 * transaction. Each event gets a UUIDv7 id and the next sequence number of its aggregate, in the order
 * given; the unique (aggregate, sequence) index makes a duplicate number impossible.
 *
 * @param sequences - Where the numbers come from; see {@link OutboxSequenceSource}.
 * @param alongside - Rows of other tables the same write inserts, written before the events and, on
 *   PostgreSQL, in the same statement (see `insertRowsTogether`).
 * @throws `NOT_FOUND` when `sequences` is `'bump'` and an aggregate's root row does not exist.
 */
export async function appendOutboxEvents(
  trx: Knex.Transaction,
  dialect: Dialect,
  tables: Tables,
  events: readonly OutboxEventDraft[],
  sequences: OutboxSequenceSource = 'bump',
  alongside: readonly RowsOf[] = [],
): Promise<void> {
  if (events.length === 0) return insertRowsTogether(trx, dialect, alongside)
  const counts = new Map<string, number>()
  for (const event of events) {
    const key = aggregateKey(event)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  if (sequences === 'bump') {
    for (const event of firstOfEachAggregate(events)) {
      const updated = await execute(
        trx,
        trx(aggregateTable(tables, event.aggregateType))
          .where('id', event.aggregateId)
          .update({
            [OUTBOX_SEQUENCE_COLUMN]: trx.raw('?? + ?', [
              OUTBOX_SEQUENCE_COLUMN,
              counts.get(aggregateKey(event)) ?? 1,
            ]),
          }),
      )
      if (updated === 0) throw new NotFoundError(event.aggregateType, event.aggregateId)
    }
  }

  const seen = new Map<string, number>()
  const now = new Date()
  const rows = events.map((event): WriteRow => {
    const key = aggregateKey(event)
    const position = (seen.get(key) ?? 0) + 1
    seen.set(key, position)
    const behind = (counts.get(key) ?? position) - position
    return {
      id: uuidv7(),
      type: event.type,
      aggregate_type: event.aggregateType,
      aggregate_id: event.aggregateId,
      // After the bump the counter holds this write's last number: read it in the INSERT itself, under
      // the row lock this transaction holds, so no statement is spent on reading it back.
      sequence:
        sequences === 'new'
          ? position
          : new SqlFragment(sequenceAfterBump(trx, aggregateTable(tables, event.aggregateType)), [
              event.aggregateId,
              behind,
            ]),
      payload: toDbJson(event.payload) ?? '{}',
      occurred_at: toDbDate(dialect, event.occurredAt ?? now),
    }
  })
  await insertRowsTogether(trx, dialect, [
    ...alongside,
    { table: tables.outbox, columns: WRITE_COLUMNS, rows },
  ])
}

/** The aggregate's outbox counter less a binding, read in the INSERT: binds the aggregate's id, then how far behind. */
function sequenceAfterBump(db: Knex, table: string): string {
  return sqlText(db, `outbox-sequence:${table}`, () => {
    const [column, from, id] = identifiers(db, OUTBOX_SEQUENCE_COLUMN, table, 'id')
    return `(select ${column} from ${from} where ${id} = ?) - ?`
  })
}

function aggregateKey(event: OutboxEventDraft): string {
  return `${event.aggregateType}:${event.aggregateId}`
}

function firstOfEachAggregate(events: readonly OutboxEventDraft[]): OutboxEventDraft[] {
  const seen = new Set<string>()
  return events.filter((event) => {
    const key = aggregateKey(event)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
