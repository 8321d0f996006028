import type { Knex } from 'knex'
import type { Tables } from '../schema/tables.js'
import type { Dialect } from '../sql/dialect.js'

/** The record an outbox event belongs to: payment and fulfillment events belong to their order. */
export type OutboxAggregateType = 'customer' | 'order'

/** An event a write is about to append, before the outbox gives it an id and a sequence number. */
export interface OutboxEventDraft {
  /** Such as `order.placed` or `payment.captured`. */
  readonly type: string
  readonly aggregateType: OutboxAggregateType
  readonly aggregateId: string
  /** Thin: ids, numbers, statuses, amounts, currency; never personal data. */
  readonly payload: Readonly<Record<string, unknown>>
}

/**
 * Appends `events` to the outbox inside the write's own transaction `trx`, so they commit or roll back
 * with the write. Call it last in every write transaction.
 */
export async function appendOutboxEvents(
  _trx: Knex.Transaction,
  _dialect: Dialect,
  _tables: Tables,
  _events: readonly OutboxEventDraft[],
): Promise<void> {
  // The outbox table and its writer arrive with the outbox; until then there is nothing to append to.
}
