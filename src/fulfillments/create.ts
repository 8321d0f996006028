import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import {
  BalanceExceededError,
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  ValidationError,
} from '../errors.js'
import { lockOrder } from '../orders/order-lock.js'
import type { OrderStatus } from '../orders/order-status.js'
import { appendOutboxEvents } from '../outbox/outbox-writer.js'
import { insertRows } from '../sql/multi-row-insert.js'
import { toDbDate, toDbJson } from '../sql/values.js'
import type { StoreContext } from '../store-context.js'
import type { Fulfillment } from './fulfillment.js'
import { readFulfillment } from './fulfillment-read.js'
import {
  FULFILLMENT_LINE_COLUMNS,
  type FulfillmentKeyRow,
  type FulfillmentLineRow,
  type FulfillmentRow,
  toFulfillment,
} from './fulfillment-row.js'
import type { ParsedFulfillmentInput } from './fulfillment-schema.js'
import { availableUnits, type LineGoods, UNFULFILLABLE_ORDER_STATUSES } from './fulfillment-status.js'
import { readGoods, settleGoods } from './order-goods.js'

/** An idempotency key and the hash of the request it came with. */
export interface RequestKey {
  readonly key: string
  readonly hash: string
}

/**
 * Creates a fulfillment inside `trx`: locks the order, replays a known idempotency key, checks the
 * order's status, takes the units (every line's counter raised by one conditional UPDATE), writes the
 * fulfillment, its lines and its key, brings the order in line, and appends the events: at most 6
 * statements for any number of lines, 8 with a key, before the outbox's.
 */
export async function createFulfillment(
  trx: Knex.Transaction,
  ctx: Pick<StoreContext, 'dialect' | 'tables'>,
  orderId: string,
  input: ParsedFulfillmentInput,
  key: RequestKey | undefined,
): Promise<Fulfillment> {
  const { dialect, tables } = ctx
  const order = await lockOrder(trx, dialect, tables, orderId)

  if (key) {
    // Under the order's lock: a concurrent caller with the same key has committed or not started.
    const known = (await trx<FulfillmentKeyRow>(tables.fulfillmentKeys)
      .where({ order_id: orderId, key: key.key })
      .first()) as FulfillmentKeyRow | undefined
    if (known) {
      if (known.request_hash !== key.hash) throw new IdempotencyKeyReusedError()
      return (await readFulfillment(trx, tables, known.fulfillment_id)) as Fulfillment
    }
  }

  const status = order.status as OrderStatus
  if (UNFULFILLABLE_ORDER_STATUSES.includes(status)) {
    throw new InvalidTransitionError(orderId, status, 'fulfilled')
  }

  const goods = await readGoods(trx, tables, orderId)
  const items = unitsToTake(goods, input)

  await takeUnits(trx, tables.orderLines, orderId, items)

  const now = new Date()
  const at = toDbDate(dialect, now)
  const row: FulfillmentRow = {
    id: uuidv7(),
    order_id: orderId,
    status: 'pending',
    carrier: input.carrier ?? null,
    tracking_number: input.trackingNumber ?? null,
    tracking_url: input.trackingUrl ?? null,
    metadata: toDbJson(input.metadata),
    version: 1,
    shipped_at: null,
    delivered_at: null,
    cancelled_at: null,
    created_at: at,
    updated_at: at,
  }
  const lines = items.map(
    (item, position): FulfillmentLineRow => ({
      fulfillment_id: row.id,
      order_line_id: item.line.lineId,
      order_id: orderId,
      position,
      quantity: item.quantity,
    }),
  )
  await trx(tables.fulfillments).insert(row)
  await insertRows(trx, tables.fulfillmentLines, FULFILLMENT_LINE_COLUMNS, lines)
  if (key) {
    const keyRow: FulfillmentKeyRow = {
      order_id: orderId,
      key: key.key,
      request_hash: key.hash,
      fulfillment_id: row.id,
      created_at: at,
    }
    await trx(tables.fulfillmentKeys).insert(keyRow)
  }

  const taken = new Map(items.map((item) => [item.line.lineId, item.quantity]))
  const after = goods.map((line) => ({ ...line, fulfilled: line.fulfilled + (taken.get(line.lineId) ?? 0) }))
  const settled = await settleGoods(trx, tables, order, after, at)

  await appendOutboxEvents(trx, dialect, tables, [
    {
      type: 'fulfillment.created',
      aggregateType: 'order',
      aggregateId: orderId,
      payload: {
        fulfillmentId: row.id,
        orderId,
        status: row.status,
        carrier: row.carrier,
        items: lines.map((line) => ({ lineId: line.order_line_id, quantity: line.quantity })),
        fulfillmentStatus: settled.fulfillmentStatus,
      },
    },
    ...settled.events,
  ])

  return toFulfillment(row, lines)
}

/**
 * Raises each line's count of fulfilled units by what the fulfillment takes, in one statement for all
 * its lines. The invariant lives in the statement's condition, whatever the caller read: units in live
 * fulfillments never pass what was bought less what was refunded by line. The order's lock already
 * serialises these writes; the condition makes over-shipping impossible even for a writer that skipped
 * the lock. A line that would pass it is not raised, and then the whole write is undone.
 */
async function takeUnits(
  trx: Knex.Transaction,
  orderLines: string,
  orderId: string,
  items: ReadonlyArray<{ line: LineGoods; quantity: number }>,
): Promise<void> {
  // The quantities are validated integers, written as literals: a bound parameter in a CASE has no type
  // on PostgreSQL. The line ids are bound.
  const units = `case ?? ${items.map((item) => `when ? then ${Math.trunc(item.quantity)}`).join(' ')} end`
  const bindings = ['id', ...items.map((item) => item.line.lineId)]
  const raised = await trx(orderLines)
    .where('order_id', orderId)
    .whereIn(
      'id',
      items.map((item) => item.line.lineId),
    )
    .whereRaw(`?? + ?? + ${units} <= ??`, [
      'fulfilled_quantity',
      'refunded_quantity',
      ...bindings,
      'quantity',
    ])
    .update({ fulfilled_quantity: trx.raw(`?? + ${units}`, ['fulfilled_quantity', ...bindings]) })
  if (raised !== items.length) {
    const [first] = items as [{ line: LineGoods; quantity: number }]
    throw new BalanceExceededError(first.quantity, availableUnits(first.line), 'units')
  }
}

/** The units a new fulfillment takes: the items asked for, or every unit left. */
function unitsToTake(
  goods: readonly LineGoods[],
  input: ParsedFulfillmentInput,
): Array<{ line: LineGoods; quantity: number }> {
  if (input.items === undefined) {
    const all = goods.filter((line) => availableUnits(line) > 0)
    if (all.length === 0) throw new BalanceExceededError(1, 0, 'units')
    return all.map((line) => ({ line, quantity: availableUnits(line) }))
  }
  const byId = new Map(goods.map((line) => [line.lineId, line]))
  const missing = input.items.flatMap((item, index) =>
    byId.has(item.lineId) ? [] : [{ path: `items.${index}.lineId`, message: 'is not a line of this order' }],
  )
  if (missing.length > 0) throw new ValidationError(missing)
  return input.items.map((item) => {
    const line = byId.get(item.lineId) as LineGoods
    if (item.quantity > availableUnits(line)) {
      throw new BalanceExceededError(item.quantity, availableUnits(line), 'units')
    }
    return { line, quantity: item.quantity }
  })
}
