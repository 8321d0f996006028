import type { Knex } from 'knex'
import { InvalidTransitionError, NotFoundError } from '../errors.js'
import { lockOrder, type OrderRef } from '../orders/order-lock.js'
import type { OrderStatus } from '../orders/order-status.js'
import { appendOutboxEvents } from '../outbox/outbox-writer.js'
import type { Tables } from '../schema/tables.js'
import { execute, identifier, identifiers, type SqlStatement, sqlText } from '../sql/statements.js'
import { fromDbInt, toDbDate } from '../sql/values.js'
import type { StoreContext } from '../store-context.js'
import type { Fulfillment } from './fulfillment.js'
import { readFulfillmentRows } from './fulfillment-read.js'
import { type FulfillmentLineRow, type FulfillmentRow, toFulfillment } from './fulfillment-row.js'
import type { ParsedTrackingInput } from './fulfillment-schema.js'
import {
  FULFILLMENT_TRANSITIONS,
  type FulfillmentStatus,
  UNFULFILLABLE_ORDER_STATUSES,
} from './fulfillment-status.js'
import { readGoods, settleGoods } from './order-goods.js'

/** The status a fulfillment write moves to, and the column stamped with its time. */
const STAMP = {
  shipped: 'shipped_at',
  delivered: 'delivered_at',
  cancelled: 'cancelled_at',
} as const

/** The target statuses of `ship`, `deliver` and `cancel`. */
export type FulfillmentTarget = keyof typeof STAMP

/**
 * Moves a fulfillment to `to` inside `trx`: locks its order, checks the move against the status table
 * (and, to ship, the order's status), updates the row on the condition that its status is still the one
 * read, gives a cancelled fulfillment's units back to their lines, brings the order in line, and appends
 * the events.
 *
 * @param order - The fulfillment's order, so that the order's lock is the first one taken, as in every
 * write on an order's goods: its id read before the transaction (it never changes), or the fulfillment
 * itself, for the locking statement to find the order through (see {@link lockOrder}).
 */
export async function moveFulfillment(
  trx: Knex.Transaction,
  ctx: Pick<StoreContext, 'dialect' | 'tables'>,
  order: string | OrderRef,
  id: string,
  to: FulfillmentTarget,
  tracking: ParsedTrackingInput,
): Promise<Fulfillment> {
  const { dialect, tables } = ctx
  const locked = await lockOrder(trx, dialect, tables, order)
  const orderId = locked.id
  // The parcel and its lines, in one statement.
  const found = await readFulfillmentRows(trx, tables, id)
  if (!found) throw new NotFoundError('fulfillment', id)
  const { row, lines } = found
  const from = row.status as FulfillmentStatus
  if (!FULFILLMENT_TRANSITIONS[from].includes(to))
    throw new InvalidTransitionError(id, from, to, 'fulfillment')
  const orderStatus = locked.status as OrderStatus
  if (to === 'shipped' && UNFULFILLABLE_ORDER_STATUSES.includes(orderStatus)) {
    throw new InvalidTransitionError(orderId, orderStatus, 'shipped')
  }

  const at = toDbDate(dialect, new Date())
  const change: Partial<FulfillmentRow> = {
    status: to,
    [STAMP[to]]: at,
    ...trackingColumns(tracking),
    version: fromDbInt(row.version) + 1,
    updated_at: at,
  }
  // Conditional on the status read: of a racing ship and cancel exactly one matches the row, even for a
  // writer that did not take the order's lock first.
  const moved = await execute(trx, updateFulfillment(trx, tables, id, from, change))
  if (moved !== 1) throw new InvalidTransitionError(id, from, to, 'fulfillment')

  if (to === 'cancelled') await releaseUnits(trx, tables, lines)

  const goods = await readGoods(trx, tables, orderId)
  // The order's update, when there is one, counts this move's event too.
  const settled = await settleGoods(trx, tables, locked, goods, at, 1)
  const updated = toFulfillment({ ...row, ...change } as FulfillmentRow, lines)
  await appendOutboxEvents(
    trx,
    dialect,
    tables,
    [
      {
        type: `fulfillment.${to}`,
        aggregateType: 'order',
        aggregateId: orderId,
        payload: {
          fulfillmentId: id,
          orderId,
          status: to,
          carrier: updated.carrier,
          items: updated.items.map((item) => ({ lineId: item.lineId, quantity: item.quantity })),
          fulfillmentStatus: settled.fulfillmentStatus,
        },
      },
      ...settled.events,
    ],
    settled.written ? 'bumped' : 'bump',
  )
  return updated
}

/** The tracking columns `ship` was given: a field left out keeps its value, `null` clears it. */
function trackingColumns(tracking: ParsedTrackingInput): Partial<FulfillmentRow> {
  const columns: Partial<FulfillmentRow> = {}
  if (tracking.carrier !== undefined) columns.carrier = tracking.carrier
  if (tracking.trackingNumber !== undefined) columns.tracking_number = tracking.trackingNumber
  if (tracking.trackingUrl !== undefined) columns.tracking_url = tracking.trackingUrl
  return columns
}

/** Writes `change` on the fulfillment, only if its status is still `from`. */
function updateFulfillment(
  db: Knex,
  tables: Tables,
  id: string,
  from: FulfillmentStatus,
  change: Partial<FulfillmentRow>,
): SqlStatement {
  const columns = Object.keys(change).sort() as (keyof FulfillmentRow)[]
  const sql = sqlText(db, `fulfillment-move:${tables.fulfillments}:${columns.join(',')}`, () => {
    const set = columns.map((column) => `${identifier(db, column)} = ?`).join(', ')
    const [fulfillments, idColumn, status] = identifiers(db, tables.fulfillments, 'id', 'status')
    return `update ${fulfillments} set ${set} where ${idColumn} = ? and ${status} = ?`
  })
  return { sql, bindings: [...columns.map((column) => change[column]), id, from] }
}

/**
 * A cancelled fulfillment's units count as unfulfilled again: each line's counter goes down by them, on
 * the condition that it holds them, so a counter can never go below zero.
 */
async function releaseUnits(
  trx: Knex.Transaction,
  tables: Tables,
  lines: readonly FulfillmentLineRow[],
): Promise<void> {
  const sql = sqlText(trx, `release-units:${tables.orderLines}`, () => {
    const [orderLines, fulfilled, id] = identifiers(trx, tables.orderLines, 'fulfilled_quantity', 'id')
    return `update ${orderLines} set ${fulfilled} = ${fulfilled} - ? where ${id} = ? and ${fulfilled} >= ?`
  })
  for (const line of lines) {
    const quantity = fromDbInt(line.quantity)
    const released = await execute(trx, { sql, bindings: [quantity, line.order_line_id, quantity] })
    if (released !== 1) throw new Error('An order line holds fewer fulfilled units than its fulfillments')
  }
}
