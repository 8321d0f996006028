import type { Knex } from 'knex'
import { InvalidTransitionError, NotFoundError } from '../errors.js'
import { lockOrder } from '../orders/order-lock.js'
import type { OrderStatus } from '../orders/order-status.js'
import { appendOutboxEvents } from '../outbox/outbox-writer.js'
import { fromDbInt, toDbDate } from '../sql/values.js'
import type { StoreContext } from '../store-context.js'
import type { Fulfillment } from './fulfillment.js'
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
 * @param orderId - The fulfillment's order, read before the transaction (it never changes), so that the
 * order's lock is the first one taken, as in every write on an order's goods.
 */
export async function moveFulfillment(
  trx: Knex.Transaction,
  ctx: Pick<StoreContext, 'dialect' | 'tables'>,
  orderId: string,
  id: string,
  to: FulfillmentTarget,
  tracking: ParsedTrackingInput,
): Promise<Fulfillment> {
  const { dialect, tables } = ctx
  const order = await lockOrder(trx, dialect, tables, orderId)
  const row = (await trx<FulfillmentRow>(tables.fulfillments).where({ id }).first()) as
    | FulfillmentRow
    | undefined
  if (!row) throw new NotFoundError('fulfillment', id)
  const from = row.status as FulfillmentStatus
  if (!FULFILLMENT_TRANSITIONS[from].includes(to))
    throw new InvalidTransitionError(id, from, to, 'fulfillment')
  const orderStatus = order.status as OrderStatus
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
  const moved = await trx(tables.fulfillments).where({ id, status: from }).update(change)
  if (moved !== 1) throw new InvalidTransitionError(id, from, to, 'fulfillment')

  const lines = (await trx<FulfillmentLineRow>(tables.fulfillmentLines)
    .where({ fulfillment_id: id })
    .orderBy('position')) as FulfillmentLineRow[]
  if (to === 'cancelled') await releaseUnits(trx, ctx.tables.orderLines, lines)

  const goods = await readGoods(trx, tables, orderId)
  const settled = await settleGoods(trx, tables, order, goods, at)
  const updated = toFulfillment({ ...row, ...change } as FulfillmentRow, lines)
  await appendOutboxEvents(trx, dialect, tables, [
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
  ])
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

/**
 * A cancelled fulfillment's units count as unfulfilled again: each line's counter goes down by them, on
 * the condition that it holds them, so a counter can never go below zero.
 */
async function releaseUnits(
  trx: Knex.Transaction,
  orderLines: string,
  lines: readonly FulfillmentLineRow[],
): Promise<void> {
  for (const line of lines) {
    const quantity = fromDbInt(line.quantity)
    const released = await trx(orderLines)
      .where({ id: line.order_line_id })
      .where('fulfilled_quantity', '>=', quantity)
      .decrement('fulfilled_quantity', quantity)
    if (released !== 1) throw new Error('An order line holds fewer fulfilled units than its fulfillments')
  }
}
