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
import { readGoods, settleOrder } from './order-goods.js'

/** An idempotency key and the hash of the request it came with. */
export interface RequestKey {
  readonly key: string
  readonly hash: string
}

/**
 * Creates a fulfillment inside `trx`: locks the order, replays a known idempotency key, checks the
 * order's status, takes the units (each line's counter raised by a conditional UPDATE), writes the
 * fulfillment, its lines and its key, brings the order in line, and appends the events. For one line and
 * no status change: 7 statements (8 with a key).
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
      if (known.request_hash !== key.hash) throw new IdempotencyKeyReusedError(orderId, 'fulfillment')
      return (await readFulfillment(trx, tables, known.fulfillment_id)) as Fulfillment
    }
  }

  const status = order.status as OrderStatus
  if (UNFULFILLABLE_ORDER_STATUSES.includes(status)) {
    throw new InvalidTransitionError(orderId, status, 'fulfilled')
  }

  const goods = await readGoods(trx, tables, orderId)
  const items = unitsToTake(goods, input)

  for (const item of items) {
    // The invariant, kept by the database whatever the caller read: units in live fulfillments never pass
    // what was bought less what was refunded by line. The order's lock already serialises these writes;
    // this condition is what makes over-shipping impossible even for a writer that skipped the lock.
    const raised = await trx(tables.orderLines)
      .where({ id: item.line.lineId, order_id: orderId })
      .whereRaw('?? + ?? + ? <= ??', ['fulfilled_quantity', 'refunded_quantity', item.quantity, 'quantity'])
      .increment('fulfilled_quantity', item.quantity)
    if (raised !== 1) throw new BalanceExceededError(item.quantity, availableUnits(item.line), 'units')
  }

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
  const settled = await settleOrder(trx, tables, order, after, at)

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
