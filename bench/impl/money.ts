/*
 * The money rules every hand-written W7 implementation applies, written out from the design's Payments
 * section so that (b) and the peers store the statuses the library stores: a payment's status from its
 * own sums, the order's payment status and sums from its payments', and the order status money decides.
 * The library derives them in src/payments/payment-status.ts and payment-ledger.ts.
 */

/** A payment's sums, read under the order's lock. */
export interface PaymentSums {
  /** Authorized. */
  readonly amount: number
  readonly captured: number
  readonly refunded: number
  /** The uncaptured rest a void released. */
  readonly voided: number
}

/** A payment's status after a write left it with `sums`. */
export function paymentStatusOf(sums: PaymentSums): string {
  if (sums.refunded > 0) return sums.refunded === sums.captured ? 'refunded' : 'partially_refunded'
  if (sums.captured === 0) return sums.voided > 0 ? 'voided' : 'authorized'
  return sums.amount - sums.captured - sums.voided === 0 ? 'captured' : 'partially_captured'
}

/** An order's money columns and status, read under its lock. */
export interface OrderMoney {
  readonly status: string
  readonly total: number
  readonly capturedTotal: number
  readonly refundedTotal: number
}

/** What a capture or a refund leaves on the order. */
export interface OrderMoneyAfter {
  readonly capturedTotal: number
  readonly refundedTotal: number
  readonly paymentStatus: string
  /** The order's status after the write: the one read when money moves none. */
  readonly status: string
}

/** Statuses a refund of everything captured may move an order from (to `refunded`). */
const REFUNDABLE_STATUSES = ['paid', 'shipped', 'delivered']

/**
 * The order after a capture or refund that moved its sums by `change`. Once anything is captured the
 * order's payment status follows from its own sums alone (refunded, partially refunded, paid, partially
 * paid): W7 never needs the other payments' rows. A capture up to the total moves a pending order to
 * `paid`; refunds up to the captures move a paid, shipped or delivered order to `refunded`.
 */
export function orderMoneyAfter(
  order: OrderMoney,
  change: { readonly captured?: number; readonly refunded?: number },
): OrderMoneyAfter {
  const capturedTotal = order.capturedTotal + (change.captured ?? 0)
  const refundedTotal = order.refundedTotal + (change.refunded ?? 0)
  if (capturedTotal === 0) throw new Error('W7 moves money only on an order with captures')
  const paymentStatus =
    refundedTotal > 0
      ? refundedTotal === capturedTotal
        ? 'refunded'
        : 'partially_refunded'
      : capturedTotal >= order.total
        ? 'paid'
        : 'partially_paid'
  let status = order.status
  if (status === 'pending' && capturedTotal >= order.total) status = 'paid'
  if (paymentStatus === 'refunded' && REFUNDABLE_STATUSES.includes(order.status)) status = 'refunded'
  return { capturedTotal, refundedTotal, paymentStatus, status }
}
