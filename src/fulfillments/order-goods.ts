import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import { EVENT_COLUMNS, type OrderEventRow, type StoredOrderRow } from '../orders/order-row.js'
import type { OrderStatus } from '../orders/order-status.js'
import type { OutboxEventDraft } from '../outbox/outbox-writer.js'
import type { Tables } from '../schema/tables.js'
import { insertRows } from '../sql/multi-row-insert.js'
import { execute, identifier, identifiers, queryRows, type SqlStatement, sqlText } from '../sql/statements.js'
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
  total?: unknown
  tax_total?: unknown
  discount_total?: unknown
}

/** A line's money, as a refund by line computes its amount from it. */
export interface LineMoney {
  readonly total: number
  readonly taxTotal: number
  readonly discountTotal: number
}

/**
 * Every line of the order with its counts, in position order, in one statement: bought and refunded
 * (the line), in live fulfillments (the line's counter), and shipped and delivered (summed from the
 * fulfillment ledger); with `money`, each line's total, tax and discount as well. Read inside the write's
 * transaction, after the order's row lock, so the counts are current: no other fulfillment, refund or
 * payment of this order can commit in between.
 */
export async function readGoods(trx: Knex.Transaction, tables: Tables, orderId: string): Promise<LineGoods[]>
export async function readGoods(
  trx: Knex.Transaction,
  tables: Tables,
  orderId: string,
  money: true,
): Promise<Array<LineGoods & { readonly money: LineMoney }>>
export async function readGoods(
  trx: Knex.Transaction,
  tables: Tables,
  orderId: string,
  money = false,
): Promise<LineGoods[]> {
  const rows = await queryRows<GoodsRow>(trx, { sql: goodsText(trx, tables, money), bindings: [orderId] })
  return rows.map((row) => {
    const line: LineGoods = {
      lineId: row.id,
      quantity: fromDbInt(row.quantity),
      refunded: fromDbInt(row.refunded_quantity),
      fulfilled: fromDbInt(row.fulfilled_quantity),
      shipped: fromDbInt(row.shipped),
      delivered: fromDbInt(row.delivered),
    }
    if (!money) return line
    const amounts: LineMoney = {
      total: fromDbInt(row.total),
      taxTotal: fromDbInt(row.tax_total),
      discountTotal: fromDbInt(row.discount_total),
    }
    return { ...line, money: amounts }
  })
}

function goodsText(db: Knex, tables: Tables, money: boolean): string {
  const key = `goods:${tables.orderLines}:${tables.fulfillmentLines}:${tables.fulfillments}:${money}`
  return sqlText(db, key, () => {
    const q = (name: string) => identifier(db, name)
    const columns = ['id', 'quantity', 'refunded_quantity', 'fulfilled_quantity']
    if (money) columns.push('total', 'tax_total', 'discount_total')
    const lineColumns = columns.map((column) => `l.${q(column)}`).join(', ')
    const [status, quantity] = [q('status'), q('quantity')]
    return (
      `select ${lineColumns}, ` +
      `coalesce(sum(case when f.${status} in ('shipped', 'delivered') then fl.${quantity} end), 0) as ${q('shipped')}, ` +
      `coalesce(sum(case when f.${status} = 'delivered' then fl.${quantity} end), 0) as ${q('delivered')} ` +
      `from ${q(tables.orderLines)} l ` +
      `left join ${q(tables.fulfillmentLines)} fl on fl.${q('order_line_id')} = l.${q('id')} ` +
      `left join ${q(tables.fulfillments)} f on f.${q('id')} = fl.${q('fulfillment_id')} ` +
      `where l.${q('order_id')} = ? ` +
      // Every selected line column is grouped: MySQL's ONLY_FULL_GROUP_BY does not infer them from the key.
      `group by ${lineColumns}, l.${q('position')} ` +
      `order by l.${q('position')} asc`
    )
  })
}

/** What {@link settleGoods} wrote on the order. */
export interface SettledOrder {
  readonly fulfillmentStatus: OrderFulfillmentStatus
  readonly status: OrderStatus
  /** The `order.status_changed` outbox events, one per status passed through. */
  readonly events: OutboxEventDraft[]
  /**
   * Whether the order's row was written, and with it its outbox counter advanced by `events` and the
   * caller's own (append them all with `'bumped'`); when not, nothing was counted and `events` is empty.
   */
  readonly written: boolean
}

/**
 * Brings the order in line with its goods, inside the fulfillment write's transaction and under the
 * order's row lock: stores `fulfillment_status`, and moves the status (`paid → shipped`,
 * `shipped → delivered`) with one `status_changed` history event per step and a version per step, as
 * `orders.transition` would. Writes nothing when neither changed.
 *
 * @param order - The order row as locked at the start of the transaction (or as this transaction last
 * wrote it).
 * @param goods - The order's lines as they are after this write.
 * @param callerEvents - Outbox events the caller appends to the order besides these: when the order's
 * row is written, its counter advances by them too, in the same UPDATE.
 */
export async function settleGoods(
  trx: Knex.Transaction,
  tables: Tables,
  order: StoredOrderRow,
  goods: readonly LineGoods[],
  now: DbDate,
  callerEvents = 0,
): Promise<SettledOrder> {
  const fulfillmentStatus = deriveFulfillmentStatus(goods)
  const from = order.status as OrderStatus
  const moves = statusesFollowingGoods(from, goods)
  const status = moves.at(-1) ?? from
  if (fulfillmentStatus === order.fulfillment_status && moves.length === 0) {
    return { fulfillmentStatus, status, events: [], written: false }
  }

  const steps = moves.map((to, i) => ({ from: i === 0 ? from : (moves[i - 1] as OrderStatus), to }))
  const events = steps.map(
    (step): OutboxEventDraft => ({
      type: 'order.status_changed',
      aggregateType: 'order',
      aggregateId: order.id,
      payload: { orderId: order.id, from: step.from, to: step.to },
    }),
  )
  // The order's row lock is held, so this is the row just read: no condition needed to be safe.
  await execute(
    trx,
    updateGoodsStatus(trx, tables, {
      id: order.id,
      fulfillmentStatus,
      at: now,
      move: moves.length > 0 ? { status, version: fromDbInt(order.version) + moves.length } : undefined,
      events: callerEvents + events.length,
    }),
  )
  if (moves.length === 0) return { fulfillmentStatus, status, events, written: true }

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
  return { fulfillmentStatus, status, events, written: true }
}

/** What {@link updateGoodsStatus} writes on the order. */
interface GoodsStatusChange {
  readonly id: string
  readonly fulfillmentStatus: string
  readonly at: unknown
  /** The status the goods move the order to, and its new version; none when it stays. */
  readonly move?: { readonly status: string; readonly version: number } | undefined
  /** Outbox events appended to the order in this write: its counter advances by as many. */
  readonly events: number
}

/** Stores the order's fulfillment status (and its status and version) and advances its outbox counter. */
function updateGoodsStatus(db: Knex, tables: Tables, change: GoodsStatusChange): SqlStatement {
  const moved = change.move !== undefined
  const sql = sqlText(db, `order-goods:${tables.orders}:${moved}`, () => {
    const [orders, fulfillmentStatus, updatedAt, status, version, sequence, id] = identifiers(
      db,
      tables.orders,
      'fulfillment_status',
      'updated_at',
      'status',
      'version',
      'outbox_sequence',
      'id',
    )
    return (
      `update ${orders} set ${fulfillmentStatus} = ?, ${updatedAt} = ?, ` +
      `${moved ? `${status} = ?, ${version} = ?, ` : ''}${sequence} = ${sequence} + ? where ${id} = ?`
    )
  })
  const move = change.move ? [change.move.status, change.move.version] : []
  return { sql, bindings: [change.fulfillmentStatus, change.at, ...move, change.events, change.id] }
}
