import type { Metadata } from '../metadata.js'
import { type DbDate, fromDbDate, fromDbDateOrNull, fromDbInt, fromDbJson } from '../sql/values.js'
import type { Fulfillment, FulfillmentLine } from './fulfillment.js'
import type { FulfillmentStatus } from './fulfillment-status.js'

/** A row of the `fulfillments` table. */
export interface FulfillmentRow {
  id: string
  order_id: string
  /** pending | shipped | delivered | cancelled. */
  status: string
  carrier: string | null
  tracking_number: string | null
  tracking_url: string | null
  /** JSON text of the metadata, NULL when there is none. */
  metadata: string | null
  /** Starts at 1; each change adds one. */
  version: number
  shipped_at: DbDate | null
  delivered_at: DbDate | null
  cancelled_at: DbDate | null
  created_at: DbDate
  updated_at: DbDate
}

/** A row of the `fulfillment_lines` table. */
export interface FulfillmentLineRow {
  fulfillment_id: string
  order_line_id: string
  /** The fulfillment's order, so one index reads an order's fulfillment lines. */
  order_id: string
  /** The line's place in the fulfillment, from 0. */
  position: number
  quantity: number
}

/** A row of the `fulfillment_keys` table: `create`'s idempotency keys, scoped to the order. */
export interface FulfillmentKeyRow {
  order_id: string
  key: string
  /** sha256 (hex) of the canonical JSON of the parsed create input. */
  request_hash: string
  fulfillment_id: string
  created_at: DbDate
}

/** Every column of a row type, each named once: the compiler rejects a missing or unknown column. */
function columnsOf<Row>(columns: Record<keyof Row & string, true>): readonly (keyof Row & string)[] {
  return Object.keys(columns) as (keyof Row & string)[]
}

/** The columns of `fulfillments`, in the order an insert binds them. */
export const FULFILLMENT_COLUMNS = columnsOf<FulfillmentRow>({
  id: true,
  order_id: true,
  status: true,
  carrier: true,
  tracking_number: true,
  tracking_url: true,
  metadata: true,
  version: true,
  shipped_at: true,
  delivered_at: true,
  cancelled_at: true,
  created_at: true,
  updated_at: true,
})

/** The columns of `fulfillment_keys`, in the order an insert binds them. */
export const FULFILLMENT_KEY_COLUMNS = columnsOf<FulfillmentKeyRow>({
  order_id: true,
  key: true,
  request_hash: true,
  fulfillment_id: true,
  created_at: true,
})

/** The columns of `fulfillment_lines`, in the order a multi-row insert binds them. */
export const FULFILLMENT_LINE_COLUMNS = columnsOf<FulfillmentLineRow>({
  fulfillment_id: true,
  order_line_id: true,
  order_id: true,
  position: true,
  quantity: true,
})

/** Maps a fulfillment row and its line rows (in position order) to the domain type. */
export function toFulfillment(row: FulfillmentRow, lines: readonly FulfillmentLineRow[]): Fulfillment {
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status as FulfillmentStatus,
    items: lines.map(toFulfillmentLine),
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    trackingUrl: row.tracking_url,
    metadata: fromDbJson<Metadata>(row.metadata) ?? {},
    version: fromDbInt(row.version),
    shippedAt: fromDbDateOrNull(row.shipped_at),
    deliveredAt: fromDbDateOrNull(row.delivered_at),
    cancelledAt: fromDbDateOrNull(row.cancelled_at),
    createdAt: fromDbDate(row.created_at),
    updatedAt: fromDbDate(row.updated_at),
  }
}

function toFulfillmentLine(row: FulfillmentLineRow): FulfillmentLine {
  return { lineId: row.order_line_id, quantity: fromDbInt(row.quantity) }
}
