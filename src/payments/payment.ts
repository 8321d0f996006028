import type { PaymentStatus } from './payment-status.js'

/** The kinds of entries in a payment's ledger. */
export type PaymentTransactionType = 'authorization' | 'capture' | 'refund' | 'void'

/** Units of one order line a refund gave back, and what they cost. */
export interface RefundLine {
  /** The order line's id. */
  lineId: string
  /** Units refunded. */
  quantity: number
  /** Minor units refunded for them: their share of the line's total, less discount, plus tax. */
  amount: number
}

/** One entry in a payment's append-only ledger. */
export interface PaymentTransaction {
  /** The entry's id, a UUIDv7. */
  id: string
  /** What the provider did. */
  type: PaymentTransactionType
  /** Minor units of the order's currency: authorized, captured, refunded, or released by a void. */
  amount: number
  /** The provider's reference for this operation (`re_…`), or `null`. */
  reference: string | null
  /** A note, such as a refund's reason, or `null`. */
  note: string | null
  /** Who did it, as the host names them, or `null`. */
  actor: string | null
  /** When it was recorded. */
  at: Date
  /** For a refund that named lines, the lines; `[]` otherwise. */
  items: RefundLine[]
}

/** A payment of an order: one authorization and what became of it. */
export interface Payment {
  /** The payment's id, a UUIDv7. */
  id: string
  /** The order it pays. */
  orderId: string
  /** The payment provider, such as `stripe`. */
  provider: string
  /** The provider's reference for the payment (`pi_…`). */
  reference: string
  /** The saved payment method of the order's customer it was made with, or `null`. */
  paymentMethodId: string | null
  /** The order's currency; every amount is in its ISO 4217 minor units. */
  currency: string
  /** Derived from the sums below. */
  status: PaymentStatus
  /** Authorized. */
  amount: number
  /** Σ captures, at most `amount`. */
  capturedAmount: number
  /** Σ refunds, at most `capturedAmount`. */
  refundedAmount: number
  /** The uncaptured rest a void released; 0 until voided. */
  voidedAmount: number
  /** When the authorization lapses at the provider, if known. */
  captureBefore: Date | null
  /** Starts at 1; each operation adds one. */
  version: number
  /** The ledger, oldest first, starting with the authorization. */
  transactions: PaymentTransaction[]
  /** When the payment was authorized. */
  createdAt: Date
  /** When the payment last changed. */
  updatedAt: Date
}

/** What the provider authorized, for {@link PaymentRepository.authorize}. */
export interface AuthorizeInput {
  /** The payment provider, such as `stripe`; 1 to 64 characters. */
  provider: string
  /** The provider's reference for the payment (`pi_…`); 1 to 255 characters. Never card data. */
  reference: string
  /** Minor units of the order's currency; a positive safe integer. */
  amount: number
  /** A saved payment method of the order's customer. */
  paymentMethodId?: string | null | undefined
  /** When the authorization lapses at the provider. */
  captureBefore?: Date | null | undefined
  /** A sale: authorize and capture the whole amount at once. @defaultValue false */
  capture?: boolean | undefined
  /** Recorded in the ledger; 1 to 2,000 characters. */
  note?: string | null | undefined
  /** Who did it, recorded in the ledger; 1 to 200 characters. */
  actor?: string | null | undefined
}

/** A capture, for {@link PaymentRepository.capture}. */
export interface CaptureInput {
  /** Minor units to capture. @defaultValue what is left of the authorization */
  amount?: number | undefined
  /** The provider's reference for the capture. */
  reference?: string | null | undefined
  /** Recorded in the ledger. */
  note?: string | null | undefined
  /** Who did it. */
  actor?: string | null | undefined
}

/** Units of one order line to refund. */
export interface RefundItemInput {
  /** The order line's id (`order.items[i].id`). */
  lineId: string
  /** Units to refund, 1 or more; at most the units bought less those refunded before. */
  quantity: number
}

/**
 * A refund, for {@link PaymentRepository.refund}: either `amount` (money without lines: shipping,
 * goodwill) or `items` (the amount is computed from the lines), not both.
 */
export interface RefundInput {
  /** Minor units to refund. */
  amount?: number | undefined
  /** Lines to refund, each at most once. */
  items?: RefundItemInput[] | undefined
  /** Why, recorded as the ledger entry's note. */
  reason?: string | null | undefined
  /** The provider's reference for the refund (`re_…`). */
  reference?: string | null | undefined
  /** Who did it. */
  actor?: string | null | undefined
}

/** A void, for {@link PaymentRepository.void}. */
export interface VoidInput {
  /** The provider's reference for the cancellation. */
  reference?: string | null | undefined
  /** Recorded in the ledger. */
  note?: string | null | undefined
  /** Who did it. */
  actor?: string | null | undefined
}

/** Options of the payment operations that can be retried safely. */
export interface PaymentOperationOptions {
  /**
   * 1 to 255 characters, scoped to the operation and its payment (to the order for `authorize`); a
   * provider's event id makes a good one. The same key with the same input returns the payment as it
   * stands, writing nothing; with a different input it throws `IDEMPOTENCY_KEY_REUSED`.
   */
  idempotencyKey?: string | undefined
}

/**
 * The payments of orders: a ledger per order of what the provider did with the money. Every call
 * validates its input first (card data first), writes in one transaction under the order's row lock, and
 * keeps the order's `capturedTotal`, `refundedTotal`, `paymentStatus` and, where money decides it, its
 * status in step.
 */
export interface PaymentRepository {
  /**
   * Records an authorization of the order (with `capture: true`, a sale: authorized and captured).
   *
   * @throws `VALIDATION_FAILED`, `CARD_DATA_REJECTED`, `NOT_FOUND` (order, or a payment method that is not
   * the order's customer's), `INVALID_TRANSITION` (a cancelled or refunded order), `IDEMPOTENCY_KEY_REUSED`
   * @example
   * ```ts
   * const payment = await store.payments.authorize(order.id, {
   *   provider: 'stripe', reference: 'pi_3N…', amount: order.total,
   * }, { idempotencyKey: event.id })
   * payment.status // 'authorized'
   * ```
   */
  authorize(orderId: string, input: AuthorizeInput, options?: PaymentOperationOptions): Promise<Payment>
  /**
   * Captures part of the authorization, or without `amount` what is left of it. A capture that brings the
   * order's `capturedTotal` to its total moves a `pending` order to `paid`.
   *
   * @throws `VALIDATION_FAILED`, `CARD_DATA_REJECTED`, `NOT_FOUND`, `BALANCE_EXCEEDED` (past the uncaptured
   * rest), `INVALID_TRANSITION` (voided or fully captured payment, cancelled or refunded order),
   * `IDEMPOTENCY_KEY_REUSED`
   * @example
   * ```ts
   * await store.payments.capture(payment.id, { amount: 3000 }, { idempotencyKey: 'cap-1' })
   * await store.payments.capture(payment.id) // the rest
   * ```
   */
  capture(paymentId: string, input?: CaptureInput, options?: PaymentOperationOptions): Promise<Payment>
  /**
   * Refunds captured money: a plain `amount`, or `items` whose amount is computed from the lines (each
   * unit's exact share of the line's total less discount plus tax). Refunds that bring the order's
   * `refundedTotal` to its `capturedTotal` move a `paid`, `shipped` or `delivered` order to `refunded`.
   * Allowed on cancelled and refunded orders.
   *
   * @throws `VALIDATION_FAILED`, `CARD_DATA_REJECTED`, `NOT_FOUND`, `BALANCE_EXCEEDED` (past what was
   * captured and not refunded, or past a line's units left), `IDEMPOTENCY_KEY_REUSED`
   * @example
   * ```ts
   * const shirt = order.items[0]
   * await store.payments.refund(payment.id, { items: [{ lineId: shirt.id, quantity: 1 }], reason: 'too small' },
   *   { idempotencyKey: 'ref-1' })
   * ```
   */
  refund(paymentId: string, input: RefundInput, options?: PaymentOperationOptions): Promise<Payment>
  /**
   * Releases the uncaptured rest of the authorization. What was captured stays captured.
   *
   * @throws `VALIDATION_FAILED`, `CARD_DATA_REJECTED`, `NOT_FOUND`, `INVALID_TRANSITION` (already voided,
   * or nothing left uncaptured)
   * @example
   * ```ts
   * await store.payments.void(payment.id, { note: 'order cancelled' })
   * ```
   */
  void(paymentId: string, input?: VoidInput): Promise<Payment>
  /**
   * The order's payments, oldest first, each with its ledger, in two statements whatever their number.
   *
   * @throws `VALIDATION_FAILED` for a malformed id; an unknown order has no payments (`[]`).
   * @example
   * ```ts
   * for (const p of await store.payments.list(order.id)) console.log(p.status, p.capturedAmount)
   * ```
   */
  list(orderId: string): Promise<Payment[]>
}
