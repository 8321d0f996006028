import type { OrderStatus } from '../orders/order-status.js'

/**
 * Where a fulfillment (a parcel) is: `pending` when created; `delivered` and `cancelled` are final.
 *
 * @example
 * ```ts
 * const open: FulfillmentStatus[] = ['pending', 'shipped']
 * ```
 */
export type FulfillmentStatus = 'pending' | 'shipped' | 'delivered' | 'cancelled'

/**
 * How much of an order is in live (not cancelled) fulfillments, as `order.fulfillmentStatus` says.
 *
 * @example
 * ```ts
 * const order = await store.orders.get(id)
 * if (order.fulfillmentStatus !== 'fulfilled') await store.fulfillments.create(order.id)
 * ```
 */
export type OrderFulfillmentStatus = 'unfulfilled' | 'partially_fulfilled' | 'fulfilled'

/**
 * The allowed moves of a fulfillment: from each status, the statuses it may go to.
 *
 * @example
 * ```ts
 * FULFILLMENT_TRANSITIONS[parcel.status].includes('shipped') // may it ship?
 * ```
 */
export const FULFILLMENT_TRANSITIONS: Readonly<Record<FulfillmentStatus, readonly FulfillmentStatus[]>> = {
  pending: ['shipped', 'cancelled'],
  shipped: ['delivered', 'cancelled'],
  delivered: [],
  cancelled: [],
}

/** The statuses a fulfillment may move to `to` from. */
export function fulfillmentSources(to: FulfillmentStatus): FulfillmentStatus[] {
  return (Object.keys(FULFILLMENT_TRANSITIONS) as FulfillmentStatus[]).filter((from) =>
    FULFILLMENT_TRANSITIONS[from].includes(to),
  )
}

/** Orders in these statuses take no new fulfillment, nor ship one: not paid yet, or final. */
export const UNFULFILLABLE_ORDER_STATUSES: readonly OrderStatus[] = ['pending', 'cancelled', 'refunded']

/** One order line's units, as the fulfillment writes count them under the order's lock. */
export interface LineGoods {
  readonly lineId: string
  /** Units bought. */
  readonly quantity: number
  /** Units refunded by line. */
  readonly refunded: number
  /** Units in live (pending, shipped or delivered) fulfillments. */
  readonly fulfilled: number
  /** Units in shipped or delivered fulfillments. */
  readonly shipped: number
  /** Units in delivered fulfillments. */
  readonly delivered: number
}

/*
 * "Every unit" of an order means every unit not refunded by line. A unit refunded before it shipped
 * can never be fulfilled (create refuses it with BALANCE_EXCEEDED), so counting it would leave an order
 * with one refunded shirt partially fulfilled, and paid, forever. A unit refunded after it shipped (a
 * return) is already counted as shipped, so it never holds the order back either way.
 */

/** Units of the line that are owed to the shopper: bought and not refunded by line. */
export function owedUnits(line: LineGoods): number {
  return Math.max(0, line.quantity - line.refunded)
}

/** Units of the line a new fulfillment may still take. */
export function availableUnits(line: LineGoods): number {
  return Math.max(0, line.quantity - line.refunded - line.fulfilled)
}

/** The order's fulfillment status, from its lines' counts: the one place it is computed. */
export function deriveFulfillmentStatus(lines: readonly LineGoods[]): OrderFulfillmentStatus {
  if (!lines.some((line) => line.fulfilled > 0)) return 'unfulfilled'
  return lines.every((line) => line.fulfilled >= owedUnits(line)) ? 'fulfilled' : 'partially_fulfilled'
}

/**
 * Where the order's status goes when its goods move: every owed unit in a shipped (or delivered)
 * fulfillment takes a `paid` order to `shipped`; every owed unit delivered takes a `shipped` order to
 * `delivered`. Returns the statuses it passes through, in order (none when it stays).
 */
export function statusesFollowingGoods(status: OrderStatus, lines: readonly LineGoods[]): OrderStatus[] {
  const all = (count: (line: LineGoods) => number): boolean =>
    lines.some((line) => count(line) > 0) && lines.every((line) => count(line) >= owedUnits(line))
  const moves: OrderStatus[] = []
  let current = status
  if (current === 'paid' && all((line) => line.shipped)) {
    current = 'shipped'
    moves.push(current)
  }
  if (current === 'shipped' && all((line) => line.delivered)) {
    current = 'delivered'
    moves.push(current)
  }
  return moves
}
