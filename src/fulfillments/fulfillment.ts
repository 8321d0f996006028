import type { Metadata } from '../metadata.js'
import type { FulfillmentStatus } from './fulfillment-status.js'

/**
 * Units of one order line, for a fulfillment.
 *
 * @example
 * ```ts
 * const item: FulfillmentItemInput = { lineId: order.items[0].id, quantity: 1 }
 * ```
 */
export interface FulfillmentItemInput {
  /** The order line's id (`order.items[i].id`). */
  lineId: string
  /** 1 to 10,000, at most the line's units left to fulfil. */
  quantity: number
}

/**
 * Carrier and tracking of a parcel; each may be set on create or on ship.
 *
 * @example
 * ```ts
 * const tracking: TrackingInput = {
 *   carrier: 'USPS',
 *   trackingNumber: '9400111899223100012345',
 *   trackingUrl: 'https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223100012345',
 * }
 * await store.fulfillments.ship(parcel.id, tracking)
 * ```
 */
export interface TrackingInput {
  /** The carrier, such as `UPS` or `DHL Express`; 1 to 64 characters. */
  carrier?: string | null | undefined
  /** The carrier's tracking number, exactly as the carrier gives it; 1 to 128 characters. */
  trackingNumber?: string | null | undefined
  /** Where the shopper can follow the parcel: an `http` or `https` URL of at most 2,048 characters. */
  trackingUrl?: string | null | undefined
}

/**
 * A new fulfillment: which units leave the warehouse in one parcel, and how to track it.
 *
 * @example
 * ```ts
 * const input: FulfillmentInput = {
 *   items: [{ lineId: order.items[0].id, quantity: 1 }],
 *   carrier: 'UPS',
 *   trackingNumber: '1Z999AA10123456784',
 *   metadata: { warehouse: 'north' },
 * }
 * ```
 */
export interface FulfillmentInput extends TrackingInput {
  /**
   * The units it takes, each line at most once. Left out: every unit of the order not yet in a live
   * fulfillment and not refunded by line.
   */
  items?: FulfillmentItemInput[] | undefined
  /** Flat string map: up to 50 keys of 1 to 40 characters, values up to 500; never card data. */
  metadata?: Metadata | null | undefined
}

/**
 * Options for {@link FulfillmentRepository.create}.
 *
 * @example
 * ```ts
 * await store.fulfillments.create(order.id, input, { idempotencyKey: `parcel-${order.id}-1` })
 * ```
 */
export interface CreateFulfillmentOptions {
  /**
   * 1 to 255 characters, scoped to the order. The same key with the same input returns the first
   * fulfillment; with a different input it throws `IDEMPOTENCY_KEY_REUSED`.
   */
  idempotencyKey?: string | undefined
}

/**
 * Units of one order line in a fulfillment.
 *
 * @example
 * ```ts
 * for (const { lineId, quantity } of parcel.items) console.log(lineId, quantity)
 * ```
 */
export interface FulfillmentLine {
  /** The order line's id. */
  lineId: string
  /** Units of that line in this fulfillment. */
  quantity: number
}

/**
 * A stored fulfillment: a parcel of an order's units.
 *
 * @example
 * ```ts
 * const parcel: Fulfillment = await store.fulfillments.create(order.id)
 * parcel.status // 'pending'
 * parcel.items // [{ lineId, quantity: 2 }]
 * ```
 */
export interface Fulfillment {
  /** The fulfillment's id, a UUIDv7. */
  id: string
  /** The order it belongs to. */
  orderId: string
  /** `pending` when created, then `shipped`, `delivered`, or `cancelled`. */
  status: FulfillmentStatus
  /** The units it takes, in the order given. */
  items: FulfillmentLine[]
  /** The carrier, or `null`. */
  carrier: string | null
  /** The tracking number, or `null`. */
  trackingNumber: string | null
  /** The tracking URL, or `null`. */
  trackingUrl: string | null
  /** The shop's own data about the parcel; `{}` when there is none or the customer was erased. */
  metadata: Metadata
  /** Starts at 1, goes up by one with every change. */
  version: number
  /** When it was shipped, or `null`. */
  shippedAt: Date | null
  /** When it was delivered, or `null`. */
  deliveredAt: Date | null
  /** When it was cancelled, or `null`. */
  cancelledAt: Date | null
  /** When it was created. */
  createdAt: Date
  /** When it last changed. */
  updatedAt: Date
}

/**
 * What left the warehouse, line by line, with tracking. Every write takes the order's row lock, keeps
 * `order.fulfillmentStatus` in step and moves the order to `shipped` or `delivered` when its goods get
 * there, in one transaction with the events. Every method validates its input (card data first) and
 * throws a `CheckoutStoreError` with a stable code, writing nothing, when it is wrong.
 *
 * @example
 * ```ts
 * const parcel = await store.fulfillments.create(order.id, { carrier: 'UPS' }, { idempotencyKey: 'parcel-1' })
 * await store.fulfillments.ship(parcel.id, { trackingNumber: '1Z999AA10123456784' })
 * await store.fulfillments.deliver(parcel.id)
 * ```
 */
export interface FulfillmentRepository {
  /**
   * Creates a `pending` fulfillment of an order's units. An order that is `pending` (not paid),
   * `cancelled` or `refunded` takes none.
   *
   * @throws `VALIDATION_FAILED`, `CARD_DATA_REJECTED`, `NOT_FOUND` (order, or a line not of this order),
   * `INVALID_TRANSITION` (order status), `BALANCE_EXCEEDED` (more units than are left),
   * `IDEMPOTENCY_KEY_REUSED`
   * @example
   * ```ts
   * const parcel = await store.fulfillments.create(order.id, {
   *   items: [{ lineId: order.items[0].id, quantity: 1 }],
   *   carrier: 'UPS',
   *   trackingNumber: '1Z999AA10123456784',
   * }, { idempotencyKey: 'ship-1' })
   * parcel.status // 'pending'
   * ```
   */
  create(orderId: string, input?: FulfillmentInput, options?: CreateFulfillmentOptions): Promise<Fulfillment>
  /**
   * Marks a `pending` fulfillment `shipped`, setting any carrier and tracking given (`null` clears one).
   * When every unit of the order is then in a shipped fulfillment, a `paid` order becomes `shipped`.
   *
   * @throws `VALIDATION_FAILED`, `CARD_DATA_REJECTED`, `NOT_FOUND`, `INVALID_TRANSITION`
   * @example
   * ```ts
   * await store.fulfillments.ship(parcel.id, { trackingNumber: '9400111899223100012345' })
   * ```
   */
  ship(id: string, tracking?: TrackingInput): Promise<Fulfillment>
  /**
   * Marks a `shipped` fulfillment `delivered`. When every unit of the order is then delivered, a
   * `shipped` order becomes `delivered`.
   *
   * @throws `NOT_FOUND`, `INVALID_TRANSITION`
   * @example
   * ```ts
   * await store.fulfillments.deliver(parcel.id)
   * ```
   */
  deliver(id: string): Promise<Fulfillment>
  /**
   * Cancels a `pending` or `shipped` fulfillment: its units count as unfulfilled again. The order's
   * status stays where it is.
   *
   * @throws `NOT_FOUND`, `INVALID_TRANSITION`
   * @example
   * ```ts
   * await store.fulfillments.cancel(parcel.id)
   * ```
   */
  cancel(id: string): Promise<Fulfillment>
  /**
   * The order's fulfillments, oldest first, each with its lines, in two statements at most.
   *
   * @throws `NOT_FOUND` when there is no such order
   * @example
   * ```ts
   * for (const parcel of await store.fulfillments.list(order.id)) console.log(parcel.status, parcel.trackingUrl)
   * ```
   */
  list(orderId: string): Promise<Fulfillment[]>
}
