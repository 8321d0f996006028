import { uuidv7 } from 'uuidv7'
import type { BenchOrderInput, Dialect } from '../workload.js'
import { lineSharesOf, totalsOf } from '../workload.js'

/*
 * The rows the hand-written baselines (Knex and raw driver) write and read, built once so both store
 * exactly what the library stores: ids made in code (uuidv7), JSON as text, dates as the dialect keeps
 * them (pg and MySQL a Date, SQLite integer milliseconds; src/sql/values.ts), BIGINTs read as numbers.
 */

/** A value bound to a statement. */
export type SqlValue = string | number | Date | null

/** The orders table's columns, in the order the baselines insert them. */
export const ORDER_COLUMNS = [
  'id',
  'number',
  'customer_id',
  'email',
  'email_normalized',
  'status',
  'currency',
  'subtotal',
  'shipping_total',
  'tax_total',
  'discount_total',
  'total',
  'shipping_address',
  'billing_address',
  'payment',
  'note',
  'metadata',
  'version',
  'created_at',
  'updated_at',
] as const

/** The order_lines table's columns, in insert order. */
export const LINE_COLUMNS = [
  'id',
  'order_id',
  'position',
  'sku',
  'name',
  'attributes',
  'quantity',
  'unit_price',
  'total',
  'tax_total',
  'discount_total',
  'product_id',
  'variant_id',
  'metadata',
] as const

/** The order_events table's columns, in insert order. */
export const EVENT_COLUMNS = [
  'id',
  'order_id',
  'type',
  'from_status',
  'to_status',
  'note',
  'actor',
  'created_at',
] as const

/** A row as a column → value record. */
export type Row<C extends readonly string[]> = { [K in C[number]]: SqlValue }

/** A timestamp as the dialect stores it. */
export function dbDate(dialect: Dialect, date: Date): Date | number {
  return dialect === 'sqlite3' ? date.getTime() : date
}

/** The order row for `input`, numbered `number`, created at `at`. */
export function orderRow(
  dialect: Dialect,
  input: BenchOrderInput,
  id: string,
  number: number,
  at: Date,
): Row<typeof ORDER_COLUMNS> {
  const { subtotal, total } = totalsOf(input)
  const when = dbDate(dialect, at)
  return {
    id,
    number,
    customer_id: input.customerId,
    email: input.email,
    email_normalized: input.email.toLowerCase(),
    status: 'pending',
    currency: input.currency,
    subtotal,
    shipping_total: input.shippingTotal,
    tax_total: input.taxTotal,
    discount_total: input.discountTotal,
    total,
    shipping_address: JSON.stringify(input.shippingAddress),
    billing_address: JSON.stringify(input.billingAddress),
    payment: JSON.stringify(input.payment),
    note: null,
    metadata: null,
    version: 1,
    created_at: when,
    updated_at: when,
  }
}

/** The order's line rows, positions from 0. */
export function lineRows(input: BenchOrderInput, orderId: string): Row<typeof LINE_COLUMNS>[] {
  const shares = lineSharesOf(input)
  return input.items.map((item, position) => ({
    id: uuidv7(),
    order_id: orderId,
    position,
    sku: item.sku,
    name: item.name,
    attributes: JSON.stringify(item.attributes),
    quantity: item.quantity,
    unit_price: item.unitPrice,
    total: item.quantity * item.unitPrice,
    tax_total: shares[position]?.taxTotal ?? 0,
    discount_total: shares[position]?.discountTotal ?? 0,
    product_id: null,
    variant_id: null,
    metadata: null,
  }))
}

/** The order_placed event (from NULL to pending), or a status_changed event. */
export function eventRow(
  dialect: Dialect,
  orderId: string,
  at: Date,
  from: string | null = null,
  to = 'pending',
): Row<typeof EVENT_COLUMNS> {
  return {
    id: uuidv7(),
    order_id: orderId,
    type: from === null ? 'order_placed' : 'status_changed',
    from_status: from,
    to_status: to,
    note: null,
    actor: null,
    created_at: dbDate(dialect, at),
  }
}

/** The values of `row` in `columns` order, for positional placeholders. */
export function valuesOf<C extends readonly string[]>(columns: C, row: Row<C>): SqlValue[] {
  return columns.map((c) => row[c as C[number]])
}

/** An order line as the baselines return it. */
export interface BenchLine {
  id: string
  position: number
  sku: string
  name: string
  attributes: Record<string, string>
  quantity: number
  unitPrice: number
  total: number
}

/** An order as the baselines return it: camelCase, numbers, parsed JSON, Dates. */
export interface BenchOrder {
  id: string
  number: number
  status: string
  version: number
  customerId: string | null
  email: string
  currency: string
  subtotal: number
  shippingTotal: number
  taxTotal: number
  discountTotal: number
  total: number
  shippingAddress: unknown
  billingAddress: unknown
  payment: unknown
  note: string | null
  metadata: unknown
  createdAt: Date
  updatedAt: Date
  items: BenchLine[]
}

/** A row as a driver returns it. */
export type DriverRow = Record<string, unknown>

const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : (value ?? null))
const date = (value: unknown): Date => (value instanceof Date ? value : new Date(Number(value)))

/** Maps a line row. */
export function toLine(row: DriverRow): BenchLine {
  return {
    id: String(row.id),
    position: Number(row.position),
    sku: String(row.sku),
    name: String(row.name),
    attributes: json(row.attributes) as Record<string, string>,
    quantity: Number(row.quantity),
    unitPrice: Number(row.unit_price),
    total: Number(row.total),
  }
}

/** Maps an order row and its line rows. */
export function toOrder(row: DriverRow, lines: readonly DriverRow[]): BenchOrder {
  return {
    id: String(row.id),
    number: Number(row.number),
    status: String(row.status),
    version: Number(row.version),
    customerId: row.customer_id == null ? null : String(row.customer_id),
    email: String(row.email),
    currency: String(row.currency),
    subtotal: Number(row.subtotal),
    shippingTotal: Number(row.shipping_total),
    taxTotal: Number(row.tax_total),
    discountTotal: Number(row.discount_total),
    total: Number(row.total),
    shippingAddress: json(row.shipping_address),
    billingAddress: json(row.billing_address),
    payment: json(row.payment),
    note: row.note == null ? null : String(row.note),
    metadata: json(row.metadata) ?? {},
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    items: lines.map(toLine),
  }
}

/** Groups line rows by order id (rows come ordered by order, position) and maps the orders. */
export function toOrders(rows: readonly DriverRow[], lines: readonly DriverRow[]): BenchOrder[] {
  const byOrder = new Map<string, DriverRow[]>()
  for (const line of lines) {
    const key = String(line.order_id)
    const list = byOrder.get(key)
    if (list) list.push(line)
    else byOrder.set(key, [line])
  }
  return rows.map((row) => toOrder(row, byOrder.get(String(row.id)) ?? []))
}
