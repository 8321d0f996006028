import { type DbDate, fromDbDate, fromDbInt, fromDbJson } from '../sql/values.js'
import type { OutboxAggregateType, OutboxEvent, OutboxEventType } from './outbox.js'

/** A row of the `outbox` table, as written and as read back. */
export interface OutboxRow {
  /** UUIDv7 made in code. */
  id: string
  type: string
  aggregate_type: string
  aggregate_id: string
  /** 1, 2, 3… per aggregate; unique with the aggregate. */
  sequence: number | string
  /** JSON text of the payload. */
  payload: string
  occurred_at: DbDate | string
  attempts: number | string
  /** Epoch milliseconds on the database's clock; 0 before the first claim. */
  leased_until: number | string
  /** Epoch milliseconds on the database's clock; NULL until acknowledged. */
  acked_at: number | string | null
}

/** Maps a claimed row to the event a consumer gets. */
export function toOutboxEvent(row: OutboxRow): OutboxEvent {
  return {
    id: row.id,
    type: row.type as OutboxEventType,
    aggregateType: row.aggregate_type as OutboxAggregateType,
    aggregateId: row.aggregate_id,
    sequence: fromDbInt(row.sequence),
    payload: fromDbJson<Record<string, unknown>>(row.payload) ?? {},
    occurredAt: fromDbDate(row.occurred_at),
    attempts: fromDbInt(row.attempts),
    leaseExpiresAt: new Date(fromDbInt(row.leased_until)),
  }
}
