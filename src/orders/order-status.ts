/**
 * Where an order is in its life. `cancelled` and `refunded` are final.
 *
 * @example
 * ```ts
 * const status: OrderStatus = 'paid'
 * canTransition(status, 'shipped') // true
 * ```
 */
export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded'

/**
 * Every status, in the order an order usually passes through them.
 *
 * @example
 * ```ts
 * const options = ORDER_STATUSES.map((status) => `<option>${status}</option>`).join('')
 * ```
 */
export const ORDER_STATUSES: readonly OrderStatus[] = [
  'pending',
  'paid',
  'shipped',
  'delivered',
  'cancelled',
  'refunded',
]

/**
 * The allowed moves: from each status, the statuses it may go to.
 *
 * @example
 * ```ts
 * ORDER_TRANSITIONS.paid // ['shipped', 'cancelled', 'refunded']: the buttons to show on a paid order
 * ```
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled', 'refunded'],
  shipped: ['delivered', 'refunded'],
  delivered: ['refunded'],
  cancelled: [],
  refunded: [],
}

/**
 * True when an order may move from `from` to `to`: the check `orders.transition` makes.
 *
 * @param from - The order's status now.
 * @param to - The status asked for.
 * @example
 * ```ts
 * canTransition('pending', 'paid')      // true
 * canTransition('delivered', 'pending') // false
 * ```
 */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to)
}

/** Orders in these statuses still need the customer's data: not yet shipped, not final. */
export const OPEN_ORDER_STATUSES: readonly OrderStatus[] = ['pending', 'paid']
