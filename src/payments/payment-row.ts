import type { DbBigInt } from '../orders/order-row.js'
import { type DbDate, fromDbDate, fromDbDateOrNull, fromDbInt } from '../sql/values.js'
import type { Payment, PaymentTransaction, PaymentTransactionType, RefundLine } from './payment.js'
import { type PaymentStatus, type PaymentSums, paymentStatus } from './payment-status.js'

/** A row of the `payments` table. */
export interface PaymentRow {
  id: string
  order_id: string
  provider: string
  /** The provider's id for the payment; never card data. */
  reference: string
  /** A saved method of the order's customer; NULL once that customer is erased. */
  payment_method_id: string | null
  currency: string
  /** Authorized, minor units. */
  amount: DbBigInt
  captured_amount: DbBigInt
  refunded_amount: DbBigInt
  /** The uncaptured rest a void released; 0 until voided. */
  voided_amount: DbBigInt
  /** Derived from the sums by {@link paymentStatus}, stored for reading. */
  status: string
  capture_before: DbDate | null
  version: number
  created_at: DbDate
  updated_at: DbDate
}

/** A row of the `payment_transactions` table: append-only. */
export interface PaymentTransactionRow {
  id: string
  payment_id: string
  type: string
  amount: DbBigInt
  reference: string | null
  note: string | null
  actor: string | null
  created_at: DbDate
}

/** A row of the `refund_lines` table. */
export interface RefundLineRow {
  id: string
  transaction_id: string
  line_id: string
  quantity: number
  amount: DbBigInt
}

/** A row of the `payment_keys` table. */
export interface PaymentKeyRow {
  /** `authorize:<order id>`, `capture:<payment id>` or `refund:<payment id>`. */
  scope: string
  key: string
  request_hash: string
  payment_id: string
  created_at: DbDate
}

/** Every column of a row type, each named once: the compiler rejects a missing or unknown column. */
function columnsOf<Row>(columns: Record<keyof Row & string, true>): readonly (keyof Row & string)[] {
  return Object.keys(columns) as (keyof Row & string)[]
}

/** The columns of `payments`, in the order an insert binds them. */
export const PAYMENT_COLUMNS = columnsOf<PaymentRow>({
  id: true,
  order_id: true,
  provider: true,
  reference: true,
  payment_method_id: true,
  currency: true,
  amount: true,
  captured_amount: true,
  refunded_amount: true,
  voided_amount: true,
  status: true,
  capture_before: true,
  version: true,
  created_at: true,
  updated_at: true,
})

/** The columns of `payment_transactions`, in the order an insert binds them. */
export const TRANSACTION_COLUMNS = columnsOf<PaymentTransactionRow>({
  id: true,
  payment_id: true,
  type: true,
  amount: true,
  reference: true,
  note: true,
  actor: true,
  created_at: true,
})

/** The columns of `refund_lines`, in the order an insert binds them. */
export const REFUND_LINE_COLUMNS = columnsOf<RefundLineRow>({
  id: true,
  transaction_id: true,
  line_id: true,
  quantity: true,
  amount: true,
})

/** The columns of `payment_keys`, in the order an insert binds them. */
export const PAYMENT_KEY_COLUMNS = columnsOf<PaymentKeyRow>({
  scope: true,
  key: true,
  request_hash: true,
  payment_id: true,
  created_at: true,
})

/** The sums of a payment row. */
export function sumsOf(row: PaymentRow): PaymentSums {
  return {
    amount: fromDbInt(row.amount),
    captured: fromDbInt(row.captured_amount),
    refunded: fromDbInt(row.refunded_amount),
    voided: fromDbInt(row.voided_amount),
  }
}

/** Maps a payment row and its ledger (oldest first) to the domain type. */
export function toPayment(row: PaymentRow, transactions: readonly PaymentTransaction[]): Payment {
  return {
    id: row.id,
    orderId: row.order_id,
    provider: row.provider,
    reference: row.reference,
    paymentMethodId: row.payment_method_id,
    currency: row.currency,
    status: row.status as PaymentStatus,
    amount: fromDbInt(row.amount),
    capturedAmount: fromDbInt(row.captured_amount),
    refundedAmount: fromDbInt(row.refunded_amount),
    voidedAmount: fromDbInt(row.voided_amount),
    captureBefore: fromDbDateOrNull(row.capture_before),
    version: fromDbInt(row.version),
    transactions: [...transactions],
    createdAt: fromDbDate(row.created_at),
    updatedAt: fromDbDate(row.updated_at),
  }
}

/** Maps a ledger row and its refund lines to the domain type. */
export function toPaymentTransaction(
  row: PaymentTransactionRow,
  items: readonly RefundLine[],
): PaymentTransaction {
  return {
    id: row.id,
    type: row.type as PaymentTransactionType,
    amount: fromDbInt(row.amount),
    reference: row.reference,
    note: row.note,
    actor: row.actor,
    at: fromDbDate(row.created_at),
    items: [...items],
  }
}

/** Maps a refund line row to the domain type. */
export function toRefundLine(row: Pick<RefundLineRow, 'line_id' | 'quantity' | 'amount'>): RefundLine {
  return { lineId: row.line_id, quantity: fromDbInt(row.quantity), amount: fromDbInt(row.amount) }
}
