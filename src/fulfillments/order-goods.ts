import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { EVENT_COLUMNS, type OrderEventRow, type StoredOrderRow } from '../orders/order-row.js'
import type { OrderStatus } from '../orders/order-status.js'
import type { OutboxEventDraft } from '../outbox/outbox-writer.js'
import type { Tables } from '../schema/tables.js'
import { insertRows } from '../sql/multi-row-insert.js'
import { type DbDate, fromDbInt } from '../sql/values.js'
import {
  deriveFulfillmentStatus,
  type LineGoods,
  type OrderFulfillmentStatus,
  statusesFollowingGoods,
} from './fulfillment-status.js'

interface GoodsRow {
  id: string
  quantity: unknown
  refunded_quantity: unknown
  fulfilled_quantity: unknown
  shipped: unknown
  delivered: unknown
}

/**
 * Every line of the order with its counts, in position order, in one statement: bought and refunded
 * (the line), in live fulfillments (the line's counter), and shipped and delivered (summed from the
 * fulfillment ledger). Read inside the write's transaction, after the order's row lock, so the counts
 * are current: no other fulfillment, refund or payment of this order can commit in between.
 */
export async function readGoods(
  trx: Knex.Transaction,
  tables: Tables,
  orderId: string,
): Promise<LineGoods[]> {
  const rows = (await trx
    .select(
      'l.id',
      'l.quantity',
      'l.refunded_quantity',
      'l.fulfilled_quantity',
      trx.raw(
        "coalesce(sum(case when f.status in ('shipped', 'delivered') then fl.quantity end), 0) as shipped",
      ),
      trx.raw("coalesce(sum(case when f.status = 'delivered' then fl.quantity end), 0) as delivered"),
    )
    .from({ l: tables.orderLines })
    .leftJoin({ fl: tables.fulfillmentLines }, 'fl.order_line_id', 'l.id')
    .leftJoin({ f: tables.fulfillments }, 'f.id', 'fl.fulfillment_id')
    .where('l.order_id', orderId)
    // Every selected line column is grouped: MySQL's ONLY_FULL_GROUP_BY does not infer them from the key.
    .groupBy('l.id', 'l.position', 'l.quantity', 'l.refunded_quantity', 'l.fulfilled_quantity')
    .orderBy('l.position')) as GoodsRow[]
  return rows.map((row) => ({
    lineId: row.id,
    quantity: fromDbInt(row.quantity),
    refunded: fromDbInt(row.refunded_quantity),
    fulfilled: fromDbInt(row.fulfilled_quantity),
    shipped: fromDbInt(row.shipped),
    delivered: fromDbInt(row.delivered),
  }))
}

/** What {@link settleGoods} wrote on the order. */
export interface SettledOrder {
  readonly fulfillmentStatus: OrderFulfillmentStatus
  readonly status: OrderStatus
  /** The `order.status_changed` outbox events, one per status passed through. */
  readonly events: OutboxEventDraft[]
}

/**
 * Brings the order in line with its goods, inside the fulfillment write's transaction and under the
 * order's row lock: stores `fulfillment_status`, and moves the status (`paid → shipped`,
 * `shipped → delivered`) with one `status_changed` history event per step and a version per step, as
 * `orders.transition` would. Writes nothing when neither changed.
 *
 * @param order - The order row as locked at the start of the transaction.
 * @param goods - The order's lines as they are after this write.
 */
export async function settleGoods(
  trx: Knex.Transaction,
  tables: Tables,
  order: StoredOrderRow,
  goods: readonly LineGoods[],
  now: DbDate,
): Promise<SettledOrder> {
  const fulfillmentStatus = deriveFulfillmentStatus(goods)
  const from = order.status as OrderStatus
  const moves = statusesFollowingGoods(from, goods)
  const status = moves.at(-1) ?? from
  if (fulfillmentStatus === order.fulfillment_status && moves.length === 0) {
    return { fulfillmentStatus, status, events: [] }
  }

  const change: Partial<StoredOrderRow> = { fulfillment_status: fulfillmentStatus, updated_at: now }
  if (moves.length > 0) {
    change.status = status
    change.version = fromDbInt(order.version) + moves.length
  }
  // The order's row lock is held, so this is the row just read: no condition needed to be safe.
  await trx(tables.orders).where({ id: order.id }).update(change)
  if (moves.length === 0) return { fulfillmentStatus, status, events: [] }

  const steps = moves.map((to, i) => ({ from: i === 0 ? from : (moves[i - 1] as OrderStatus), to }))
  const history = steps.map(
    (step): OrderEventRow => ({
      id: uuidv7(),
      order_id: order.id,
      type: 'status_changed',
      from_status: step.from,
      to_status: step.to,
      note: null,
      actor: null,
      created_at: now,
    }),
  )
  await insertRows(trx, tables.orderEvents, EVENT_COLUMNS, history)
  const events = steps.map(
    (step): OutboxEventDraft => ({
      type: 'order.status_changed',
      aggregateType: 'order',
      aggregateId: order.id,
      payload: { orderId: order.id, from: step.from, to: step.to },
    }),
  )
  return { fulfillmentStatus, status, events }
}
