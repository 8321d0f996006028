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
import { appendOutboxEvents, type OutboxEventDraft } from '../outbox/outbox-writer.js'
import type { Tables } from '../schema/tables.js'
import {
  execute,
  identifiers,
  placeholders,
  queryFirst,
  type SqlStatement,
  sqlText,
} from '../sql/statements.js'
import { toDbDate, toDbJson } from '../sql/values.js'
import type { StoreContext } from '../store-context.js'
import type { Fulfillment } from './fulfillment.js'
import { readFulfillment } from './fulfillment-read.js'
import {
  FULFILLMENT_COLUMNS,
  FULFILLMENT_KEY_COLUMNS,
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
 * fulfillment, its lines and its key, brings the order in line (advancing its outbox counter in the same
 * UPDATE), and appends the events: at most 6 statements for any number of lines, 7 with a key, before
 * the outbox's INSERT.
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
    const known = await queryFirst<FulfillmentKeyRow>(trx, selectKey(trx, tables, orderId, key.key))
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

  await takeUnits(trx, tables, orderId, items)

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
  const keyRows: FulfillmentKeyRow[] = key
    ? [{ order_id: orderId, key: key.key, request_hash: key.hash, fulfillment_id: row.id, created_at: at }]
    : []

  const taken = new Map(items.map((item) => [item.line.lineId, item.quantity]))
  const after = goods.map((line) => ({ ...line, fulfilled: line.fulfilled + (taken.get(line.lineId) ?? 0) }))
  // The order's update, when there is one, counts the fulfillment.created event too.
  const settled = await settleGoods(trx, tables, order, after, at, 1)

  const events: OutboxEventDraft[] = [
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
  ]
  // The parcel, its lines and its key go in with the events, last: on PostgreSQL in one statement. Under
  // the order's lock nothing reads them before this transaction commits.
  await appendOutboxEvents(trx, dialect, tables, events, settled.written ? 'bumped' : 'bump', [
    { table: tables.fulfillments, columns: FULFILLMENT_COLUMNS, rows: [row] },
    { table: tables.fulfillmentLines, columns: FULFILLMENT_LINE_COLUMNS, rows: lines },
    { table: tables.fulfillmentKeys, columns: FULFILLMENT_KEY_COLUMNS, rows: keyRows },
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
  tables: Tables,
  orderId: string,
  items: ReadonlyArray<{ line: LineGoods; quantity: number }>,
): Promise<void> {
  const raised = await execute(trx, raiseFulfilled(trx, tables, orderId, items))
  if (raised !== items.length) {
    const [first] = items as [{ line: LineGoods; quantity: number }]
    throw new BalanceExceededError(first.quantity, availableUnits(first.line), 'units')
  }
}

/** The UPDATE of {@link takeUnits}. */
function raiseFulfilled(
  db: Knex,
  tables: Tables,
  orderId: string,
  items: ReadonlyArray<{ line: LineGoods; quantity: number }>,
): SqlStatement {
  // The text with a mark for each item-dependent part, built once; the parts are filled in per call.
  const template = sqlText(db, `take-units:${tables.orderLines}`, () => {
    const [lines, fulfilled, refunded, quantity, id, orderIdColumn] = identifiers(
      db,
      tables.orderLines,
      'fulfilled_quantity',
      'refunded_quantity',
      'quantity',
      'id',
      'order_id',
    )
    const units = `case ${id} ${WHENS} end`
    return (
      `update ${lines} set ${fulfilled} = ${fulfilled} + ${units} ` +
      `where ${orderIdColumn} = ? and ${id} in (${IDS}) and ${fulfilled} + ${refunded} + ${units} <= ${quantity}`
    )
  })
  // The quantities are validated integers, written as literals: a bound parameter in a CASE has no type
  // on PostgreSQL. The line ids are bound.
  const whens = items.map((item) => `when ? then ${Math.trunc(item.quantity)}`).join(' ')
  const ids = items.map((item) => item.line.lineId)
  return {
    sql: template.replaceAll(WHENS, whens).replace(IDS, placeholders(ids.length)),
    bindings: [...ids, orderId, ...ids, ...ids],
  }
}

/** Where {@link raiseFulfilled}'s text takes its CASE arms and its id list. */
const WHENS = '/*whens*/'
const IDS = '/*ids*/'

/** The idempotency key `key` of the order's creates, every column. */
function selectKey(db: Knex, tables: Tables, orderId: string, key: string): SqlStatement {
  const sql = sqlText(db, `fulfillment-key:${tables.fulfillmentKeys}`, () => {
    const [keys, orderIdColumn, keyColumn] = identifiers(db, tables.fulfillmentKeys, 'order_id', 'key')
    return `select * from ${keys} where ${orderIdColumn} = ? and ${keyColumn} = ?`
  })
  return { sql, bindings: [orderId, key] }
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
