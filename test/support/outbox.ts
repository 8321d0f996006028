import type { Knex } from 'knex'
import { fromDbInt, fromDbJson } from '../../src/sql/values.js'

/** The outbox table under the tests' default prefix. */
export const OUTBOX = 'checkout_outbox'

/** An outbox row as a consumer would care about it, read straight from the table. */
export interface StoredEvent {
  id: string
  type: string
  aggregateType: string
  aggregateId: string
  sequence: number
  payload: Record<string, unknown>
  payloadText: string
  attempts: number
  acked: boolean
}

/** Every outbox row, by aggregate and sequence; of one aggregate when `aggregateId` is given. */
export async function storedEvents(db: Knex, aggregateId?: string): Promise<StoredEvent[]> {
  const query = db(OUTBOX).select('*')
  if (aggregateId !== undefined) query.where('aggregate_id', aggregateId)
  const rows = (await query.orderBy([
    { column: 'aggregate_type' },
    { column: 'aggregate_id' },
    { column: 'sequence' },
  ])) as Array<Record<string, unknown>>
  return rows.map((row) => ({
    id: String(row.id),
    type: String(row.type),
    aggregateType: String(row.aggregate_type),
    aggregateId: String(row.aggregate_id),
    sequence: fromDbInt(row.sequence),
    payload: fromDbJson<Record<string, unknown>>(row.payload) ?? {},
    payloadText: String(row.payload),
    attempts: fromDbInt(row.attempts),
    acked: row.acked_at !== null,
  }))
}

/** How many outbox rows there are. */
export async function countEvents(db: Knex): Promise<number> {
  const [row] = (await db(OUTBOX).count({ n: '*' })) as Array<{ n: unknown }>
  return fromDbInt(row?.n)
}

/** Acknowledges every event, so a test starts from an empty claimable set. */
export async function ackEverything(db: Knex): Promise<void> {
  await db(OUTBOX).whereNull('acked_at').update({ acked_at: Date.now() })
}
