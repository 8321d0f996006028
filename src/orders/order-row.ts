import type { AddressSnapshot } from '../customers/address.js'
import type { OrderFulfillmentStatus } from '../fulfillments/fulfillment-status.js'
import type { Metadata } from '../metadata.js'
import type { OrderPaymentStatus } from '../payments/payment-status.js'
import { type DbDate, fromDbDate, fromDbInt, fromDbJson } from '../sql/values.js'
import type { Order, OrderEvent, OrderLine, StoredPaymentSummary } from './order.js'
import type { OrderStatus } from './order-status.js'

/** A BIGINT as the drivers return it: pg gives strings, mysql2 and better-sqlite3 numbers. */
export type DbBigInt = number | string

/** A row of the `orders` table, as written and as read back. */
export interface OrderRow {
  id: string
  /** Human-readable number from the `order_number` counter row. */
  number: DbBigInt
  /** NULL for a guest checkout. */
  customer_id: string | null
  /** As given (or the customer's), trimmed. */
  email: string
  /** Lower-cased `email`: the key of the email filter. */
  email_normalized: string
  status: string
  /** ISO 4217, uppercase. */
  currency: string
  /** Minor units, like every amount below, computed by the library. */
  subtotal: DbBigInt
  shipping_total: DbBigInt
  tax_total: DbBigInt
  discount_total: DbBigInt
  total: DbBigInt
  /** JSON text of an {@link AddressSnapshot}, or NULL. */
  shipping_address: string | null
  /** JSON text of an {@link AddressSnapshot}, or NULL. */
  billing_address: string | null
  /** JSON text of a {@link StoredPaymentSummary}, or NULL. */
  payment: string | null
  note: string | null
  /** JSON text of the metadata, NULL when there is none. */
  metadata: string | null
  /** Starts at 1; each transition adds one. */
  version: number
  /** The sequence number of the order's last outbox event (1 once placed). */
  outbox_sequence: number | string
  created_at: DbDate
  updated_at: DbDate
  /** Σ captures of the order's payments, kept by the payments module in the ledger's transaction. */
  captured_total: DbBigInt
  /** Σ refunds of the order's payments, kept likewise. */
  refunded_total: DbBigInt
  /** Derived from the ledger in payments/payment-status.ts, stored for the filter and index. */
  payment_status: string
}

/** An `orders` row as read back: the columns an order is placed with, and those later writes keep. */
export interface StoredOrderRow extends OrderRow {
  /**
   * unfulfilled | partially_fulfilled | fulfilled, kept by the fulfillment writes only. A new order takes
   * the column's default (`unfulfilled`), so placing an order never names it.
   */
  fulfillment_status?: string
}

/** A row of the `order_lines` table. */
export interface OrderLineRow {
  id: string
  order_id: string
  /** The line's place in the order, from 0: lines read back in the order they were given. */
  position: number
  sku: string
  name: string
  /** JSON text of the flat attribute map (`{}` when none). */
  attributes: string
  quantity: number
  unit_price: DbBigInt
  /** quantity × unit_price. */
  total: DbBigInt
  /** The line's share of the order's tax (given, or allocated at creation). */
  tax_total: DbBigInt
  /** The line's share of the order's discount (given, or allocated at creation). */
  discount_total: DbBigInt
  /** Units refunded by refunds naming this line; never past `quantity`. */
  refunded_quantity: number
  product_id: string | null
  variant_id: string | null
  /** JSON text of the metadata, NULL when there is none. */
  metadata: string | null
}

/** A row of the `order_events` table. */
export interface OrderEventRow {
  id: string
  order_id: string
  /** `order_placed` or `status_changed`. */
  type: string
  /** NULL for `order_placed`. */
  from_status: string | null
  to_status: string
  note: string | null
  actor: string | null
  created_at: DbDate
}

/** A row of the `idempotency_keys` table. */
export interface IdempotencyKeyRow {
  key: string
  /** sha256 (hex) of the canonical JSON of the parsed create input. */
  request_hash: string
  order_id: string
  created_at: DbDate
}

/** Every column of a row type, each named once: the compiler rejects a missing or unknown column. */
function columnsOf<Row>(columns: Record<keyof Row & string, true>): readonly (keyof Row & string)[] {
  return Object.keys(columns) as (keyof Row & string)[]
}

/** The columns of `orders`, in the order a multi-row insert binds them. */
export const ORDER_COLUMNS = columnsOf<OrderRow>({
  id: true,
  number: true,
  customer_id: true,
  email: true,
  email_normalized: true,
  status: true,
  currency: true,
  subtotal: true,
  shipping_total: true,
  tax_total: true,
  discount_total: true,
  total: true,
  shipping_address: true,
  billing_address: true,
  payment: true,
  note: true,
  metadata: true,
  version: true,
  outbox_sequence: true,
  created_at: true,
  updated_at: true,
  captured_total: true,
  refunded_total: true,
  payment_status: true,
})

/** The columns of `order_lines`, in the order a multi-row insert binds them. */
export const LINE_COLUMNS = columnsOf<OrderLineRow>({
  id: true,
  order_id: true,
  position: true,
  sku: true,
  name: true,
  attributes: true,
  quantity: true,
  unit_price: true,
  total: true,
  tax_total: true,
  discount_total: true,
  refunded_quantity: true,
  product_id: true,
  variant_id: true,
  metadata: true,
})

/** The columns of `order_events`, in the order a multi-row insert binds them. */
export const EVENT_COLUMNS = columnsOf<OrderEventRow>({
  id: true,
  order_id: true,
  type: true,
  from_status: true,
  to_status: true,
  note: true,
  actor: true,
  created_at: true,
})

/** Maps an order row and its line rows (in position order) to the domain type. */
export function toOrder(row: StoredOrderRow, lines: readonly OrderLineRow[]): Order {
  return {
    id: row.id,
    number: fromDbInt(row.number),
    status: row.status as OrderStatus,
    fulfillmentStatus: (row.fulfillment_status ?? 'unfulfilled') as OrderFulfillmentStatus,
    version: fromDbInt(row.version),
    customerId: row.customer_id,
    email: row.email,
    currency: row.currency,
    items: lines.map(toOrderLine),
    subtotal: fromDbInt(row.subtotal),
    shippingTotal: fromDbInt(row.shipping_total),
    taxTotal: fromDbInt(row.tax_total),
    discountTotal: fromDbInt(row.discount_total),
    total: fromDbInt(row.total),
    shippingAddress: fromDbJson<AddressSnapshot>(row.shipping_address),
    billingAddress: fromDbJson<AddressSnapshot>(row.billing_address),
    payment: fromDbJson<StoredPaymentSummary>(row.payment),
    note: row.note,
    metadata: fromDbJson<Metadata>(row.metadata) ?? {},
    capturedTotal: fromDbInt(row.captured_total),
    refundedTotal: fromDbInt(row.refunded_total),
    paymentStatus: row.payment_status as OrderPaymentStatus,
    createdAt: fromDbDate(row.created_at),
    updatedAt: fromDbDate(row.updated_at),
  }
}

/** Maps an order line row to the domain type. */
export function toOrderLine(row: OrderLineRow): OrderLine {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    attributes: fromDbJson<Record<string, string>>(row.attributes) ?? {},
    quantity: fromDbInt(row.quantity),
    unitPrice: fromDbInt(row.unit_price),
    total: fromDbInt(row.total),
    taxTotal: fromDbInt(row.tax_total),
    discountTotal: fromDbInt(row.discount_total),
    refundedQuantity: fromDbInt(row.refunded_quantity),
    productId: row.product_id,
    variantId: row.variant_id,
    metadata: fromDbJson<Metadata>(row.metadata) ?? {},
  }
}

/** Maps an order event row to the domain type. */
export function toOrderEvent(row: OrderEventRow): OrderEvent {
  return {
    id: row.id,
    type: row.type as OrderEvent['type'],
    from: row.from_status as OrderStatus | null,
    to: row.to_status as OrderStatus,
    note: row.note,
    actor: row.actor,
    at: fromDbDate(row.created_at),
  }
}
