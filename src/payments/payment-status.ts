/*
 * The statuses derived from the ledger, each computed here and nowhere else. The payments module stores
 * them beside the sums they come from, in the same transaction as the ledger rows, so reads filter and
 * show them without touching the ledger.
 */

/**
 * Where one payment stands, derived from its sums: `authorized` (nothing captured yet), `partially_captured`
 * (some captured, the rest still capturable), `captured` (nothing left to capture: all of it captured, or
 * the rest released by a void), `partially_refunded`, `refunded` (every captured unit refunded), `voided`
 * (released before any capture).
 */
export type PaymentStatus =
  | 'authorized'
  | 'partially_captured'
  | 'captured'
  | 'partially_refunded'
  | 'refunded'
  | 'voided'

/**
 * Where an order's money stands, derived from its payments, first match wins: `refunded` (refunds equal
 * captures, above 0), `partially_refunded` (refunds above 0), `paid` (captures reach the total),
 * `partially_paid` (captures above 0), `authorized` (a payment has an open authorization), `voided` (every
 * payment voided), else `unpaid` (no payments, or none of these). Orders paid outside the ledger, with
 * `orders.transition()`, stay `unpaid`.
 */
export type OrderPaymentStatus =
  | 'unpaid'
  | 'authorized'
  | 'partially_paid'
  | 'paid'
  | 'partially_refunded'
  | 'refunded'
  | 'voided'

/** Every {@link OrderPaymentStatus}. */
export const ORDER_PAYMENT_STATUSES: readonly OrderPaymentStatus[] = [
  'unpaid',
  'authorized',
  'partially_paid',
  'paid',
  'partially_refunded',
  'refunded',
  'voided',
]

/** The sums of one payment. */
export interface PaymentSums {
  readonly amount: number
  readonly captured: number
  readonly refunded: number
  /** The uncaptured rest a void released; above 0 once voided. */
  readonly voided: number
}

/** What is left to capture. */
export function capturable(sums: PaymentSums): number {
  return sums.amount - sums.captured - sums.voided
}

/** The {@link PaymentStatus} of a payment with these sums. */
export function paymentStatus(sums: PaymentSums): PaymentStatus {
  if (sums.refunded > 0) return sums.refunded === sums.captured ? 'refunded' : 'partially_refunded'
  if (sums.captured === 0) return sums.voided > 0 ? 'voided' : 'authorized'
  return capturable(sums) === 0 ? 'captured' : 'partially_captured'
}

/** An order's money: its payments' sums and the status derived from them. */
export interface OrderMoney {
  readonly capturedTotal: number
  readonly refundedTotal: number
  readonly paymentStatus: OrderPaymentStatus
}

/**
 * The sums and {@link OrderPaymentStatus} of an order of `total` with these payments.
 *
 * @param total - The order's total.
 * @param payments - Every payment of the order, as it is after the write.
 */
export function orderMoney(total: number, payments: readonly PaymentSums[]): OrderMoney {
  let capturedTotal = 0
  let refundedTotal = 0
  let open = false
  let allVoided = payments.length > 0
  for (const sums of payments) {
    capturedTotal += sums.captured
    refundedTotal += sums.refunded
    if (capturable(sums) > 0) open = true
    if (!(sums.voided > 0 && sums.captured === 0)) allVoided = false
  }
  const status: OrderPaymentStatus =
    refundedTotal > 0 && refundedTotal === capturedTotal
      ? 'refunded'
      : refundedTotal > 0
        ? 'partially_refunded'
        : capturedTotal > 0 && capturedTotal >= total
          ? 'paid'
          : capturedTotal > 0
            ? 'partially_paid'
            : open
              ? 'authorized'
              : allVoided
                ? 'voided'
                : 'unpaid'
  return { capturedTotal, refundedTotal, paymentStatus: status }
}
