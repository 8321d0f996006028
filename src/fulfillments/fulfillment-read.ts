import type { Knex } from 'knex'
import { NotFoundError } from '../errors.js'
import type { Tables } from '../schema/tables.js'
import type { Fulfillment } from './fulfillment.js'
import { type FulfillmentLineRow, type FulfillmentRow, toFulfillment } from './fulfillment-row.js'

const LINE_ORDER = [
  { column: 'fulfillment_id', order: 'asc' },
  { column: 'position', order: 'asc' },
] as const

/** One fulfillment with its lines, in two statements; `null` when there is none. */
export async function readFulfillment(db: Knex, tables: Tables, id: string): Promise<Fulfillment | null> {
  const row = (await db<FulfillmentRow>(tables.fulfillments).where({ id }).first()) as
    | FulfillmentRow
    | undefined
  if (!row) return null
  const lines = (await db<FulfillmentLineRow>(tables.fulfillmentLines)
    .where({ fulfillment_id: id })
    .orderBy([...LINE_ORDER])) as FulfillmentLineRow[]
  return toFulfillment(row, lines)
}

type ListedRow = { order_found: string } & { [K in keyof FulfillmentRow]: FulfillmentRow[K] | null }

/**
 * The order's fulfillments, oldest first, with their lines: one statement for the order and its
 * fulfillments (so a missing order is told from one without fulfillments), and one for every line of
 * them, by the order's index; none when there is no fulfillment.
 *
 * @throws `NOT_FOUND` when there is no such order
 */
export async function listFulfillments(db: Knex, tables: Tables, orderId: string): Promise<Fulfillment[]> {
  const rows = (await db
    .select('o.id as order_found', 'f.*')
    .from({ o: tables.orders })
    .leftJoin({ f: tables.fulfillments }, 'f.order_id', 'o.id')
    .where('o.id', orderId)
    .orderBy([
      { column: 'f.created_at', order: 'asc' },
      { column: 'f.id', order: 'asc' },
    ])) as ListedRow[]
  if (rows.length === 0) throw new NotFoundError('order', orderId)
  const fulfillments = rows.filter((row): row is ListedRow & FulfillmentRow => row.id !== null)
  if (fulfillments.length === 0) return []

  const lineRows = (await db<FulfillmentLineRow>(tables.fulfillmentLines)
    .where({ order_id: orderId })
    .orderBy([...LINE_ORDER])) as FulfillmentLineRow[]
  const byFulfillment = new Map<string, FulfillmentLineRow[]>(fulfillments.map((row) => [row.id, []]))
  for (const line of lineRows) byFulfillment.get(line.fulfillment_id)?.push(line)
  return fulfillments.map((row) => toFulfillment(row, byFulfillment.get(row.id) ?? []))
}
