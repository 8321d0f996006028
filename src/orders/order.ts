import type { AddressInput, AddressSnapshot } from '../customers/address.js'
import type { OrderFulfillmentStatus } from '../fulfillments/fulfillment-status.js'
import type { Metadata } from '../metadata.js'
import type { Page } from '../page.js'
import type { OrderPaymentStatus } from '../payments/payment-status.js'
import type { OrderStatus } from './order-status.js'

/**
 * One line of a new order: a snapshot of what was bought, as it was at purchase.
 *
 * @example
 * ```ts
 * const line: OrderItemInput = { sku: 'TEE-BLUE-M', name: 'Blue tee', attributes: { size: 'M' }, quantity: 1,
 *   unitPrice: 1999 }
 * ```
 */
export interface OrderItemInput {
  /** The shop's stock-keeping unit, 1 to 100 characters. */
  sku: string
  /** Product name as shown to the shopper, 1 to 200 characters. */
  name: string
  /**
   * What the shopper chose, as a flat string map such as `{ size: 'M', color: 'blue' }`: up to 50 keys of
   * 1 to 40 characters, values up to 200.
   */
  attributes?: Record<string, string> | null | undefined
  /** 1 to 10,000. */
  quantity: number
  /** Price of one unit in minor units of the order's currency (1999 = $19.99). */
  unitPrice: number
  /**
   * The line's tax as the shop's tax engine computed it. When any line gives one, the order's `taxTotal`
   * is the sum of the lines' (a line without one counts 0) and may be left out; otherwise the library
   * allocates the order's tax to the lines in proportion to their totals, in integers (largest
   * remainder).
   */
  taxTotal?: number
  /**
   * The line's discount, at most its total plus its tax. When any line gives one, the order's
   * `discountTotal` is their sum; otherwise the library allocates it like the tax.
   */
  discountTotal?: number
  /** The shop's product id, 1 to 100 characters. */
  productId?: string | null | undefined
  /** The shop's variant id, 1 to 100 characters. */
  variantId?: string | null | undefined
  /** Flat string map: up to 50 keys of 1 to 40 characters, values up to 500; never card data. */
  metadata?: Metadata | null | undefined
}

/**
 * A summary of how the order was paid: the provider's reference, never card data.
 *
 * @example
 * ```ts
 * await store.orders.create({ ...input, payment: { provider: 'stripe', reference: 'pi_3N0aBc', brand: 'visa',
 *   last4: '4242' } })
 * ```
 */
export interface PaymentSummary {
  /** The payment provider, such as `stripe`; 1 to 64 characters. */
  provider: string
  /** The provider's reference for the payment (`pi_…`); 1 to 255 characters. */
  reference: string
  /** Card brand, such as `visa`; 1 to 32 characters. */
  brand?: string | null | undefined
  /** The card's last four digits. */
  last4?: string | null | undefined
}

/**
 * A new order. Totals are computed by the library; amounts are integers in minor units.
 *
 * @example
 * ```ts
 * const input: OrderInput = { email: 'guest@example.com', currency: 'EUR',
 *   items: [{ sku: 'TEE-BLUE-M', name: 'Blue tee', quantity: 1, unitPrice: 2500 }] }
 * await store.orders.create(input, { idempotencyKey })
 * ```
 */
export interface OrderInput {
  /** An existing customer; the order's email defaults to theirs. Leave out for a guest checkout. */
  customerId?: string | null | undefined
  /** Required for a guest checkout; overrides the customer's email otherwise. */
  email?: string | null | undefined
  /** ISO 4217 code such as `USD`, `EUR`, `JPY`. */
  currency: string
  /** 1 to 1,000 lines. */
  items: OrderItemInput[]
  /** Where to ship; copied into the order as an {@link AddressSnapshot}. */
  shippingAddress?: AddressInput | null | undefined
  /** The billing address; copied into the order as an {@link AddressSnapshot}. */
  billingAddress?: AddressInput | null | undefined
  /** @defaultValue 0 */
  shippingTotal?: number | undefined
  /** The order's tax; when lines give their own, their sum (giving both, they must agree). @defaultValue 0 */
  taxTotal?: number | undefined
  /**
   * Must not take the total below 0; when lines give their own, their sum (giving both, they must
   * agree). @defaultValue 0
   */
  discountTotal?: number | undefined
  /** How the order was paid, if it was. */
  payment?: PaymentSummary | null | undefined
  /** A free-text note on the order, 1 to 2,000 characters. */
  note?: string | null | undefined
  /** Flat string map: up to 50 keys of 1 to 40 characters, values up to 500; never card data. */
  metadata?: Metadata | null | undefined
}

/**
 * Options for {@link OrderRepository.create}.
 *
 * @example
 * ```ts
 * await store.orders.create(input, { idempotencyKey: req.get('Idempotency-Key') })
 * ```
 */
export interface CreateOrderOptions {
  /**
   * 1 to 255 characters. The same key with the same input returns the first order (`replayed: true`);
   * with a different input it throws `IDEMPOTENCY_KEY_REUSED`, which does not say which order the key
   * placed. Keys are shared by every caller of the store (one table per prefix), not scoped by customer:
   * take them from the client (a UUID per checkout, such as the `Idempotency-Key` header) or prefix them
   * with what scopes them in your app (`${sessionId}:${key}`). They are kept until
   * `store.pruneIdempotencyKeys({ olderThan })` deletes them.
   */
  idempotencyKey?: string | undefined
}

/**
 * A stored order line.
 *
 * @example
 * ```ts
 * for (const line of order.items) console.log(line.sku, line.attributes.size, line.quantity, line.total)
 * ```
 */
export interface OrderLine {
  /** The line's id, a UUIDv7. */
  id: string
  /** The shop's stock-keeping unit, as given. */
  sku: string
  /** Product name at purchase. */
  name: string
  /** What the shopper chose, such as `{ size: 'M' }`; `{}` when nothing was given. */
  attributes: Record<string, string>
  /** Units bought, 1 to 10,000. */
  quantity: number
  /** Price of one unit in minor units of the order's currency. */
  unitPrice: number
  /** quantity × unitPrice. */
  total: number
  /** The line's share of the order's tax: as the shop gave it, or allocated by the library. */
  taxTotal: number
  /** The line's share of the order's discount: as the shop gave it, or allocated by the library. */
  discountTotal: number
  /** Units refunded by refunds that named this line (`payments.refund` with `items`). */
  refundedQuantity: number
  /** The shop's product id, or `null` when none was given. */
  productId: string | null
  /** The shop's variant id, or `null` when none was given. */
  variantId: string | null
  /** The shop's own data about the line; `{}` when there is none or the customer was erased. */
  metadata: Metadata
}

/**
 * The summary of the payment as stored.
 *
 * @example
 * ```ts
 * order.payment?.reference // 'pi_3N0aBc', to look the payment up at the provider
 * ```
 */
export interface StoredPaymentSummary {
  /** The payment provider, such as `stripe`. */
  provider: string
  /** The provider's reference for the payment (`pi_…`). */
  reference: string
  /** Card brand, such as `visa`, or `null` when none was given. */
  brand: string | null
  /** The card's last four digits, or `null` when not given. */
  last4: string | null
}

/**
 * A stored order with its lines.
 *
 * @example
 * ```ts
 * const order: Order = await store.orders.get(id)
 * console.log(order.number, order.status, order.total, order.currency)
 * ```
 */
export interface Order {
  /** The order's id, a UUIDv7. */
  id: string
  /** Human-readable, unique and increasing: 1001, 1002, … */
  number: number
  /** Where the order is in its life; `pending` when placed. */
  status: OrderStatus
  /**
   * How much of the order is in live (not cancelled) fulfillments: `unfulfilled` (none),
   * `partially_fulfilled`, or `fulfilled` (every unit not refunded by line). See `store.fulfillments`.
   */
  fulfillmentStatus: OrderFulfillmentStatus
  /** Starts at 1, goes up by one with every transition. */
  version: number
  /** The customer who placed it (UUIDv7), or `null` for a guest checkout. */
  customerId: string | null
  /** Where to reach the buyer; a `…@anonymized.invalid` placeholder once the customer is erased. */
  email: string
  /** ISO 4217 code, upper-case, such as `USD`; every amount is in its minor units. */
  currency: string
  /** The order's lines, in the order given. */
  items: OrderLine[]
  /** Σ quantity × unitPrice. */
  subtotal: number
  /** Shipping cost in minor units. */
  shippingTotal: number
  /** Tax in minor units. */
  taxTotal: number
  /** Discount in minor units, subtracted from the total. */
  discountTotal: number
  /** subtotal + shippingTotal + taxTotal − discountTotal. */
  total: number
  /** Shipping address as it was at purchase, or `null` when none was given. */
  shippingAddress: AddressSnapshot | null
  /** Billing address as it was at purchase, or `null` when none was given. */
  billingAddress: AddressSnapshot | null
  /** How the order was paid, or `null` when not given. */
  payment: StoredPaymentSummary | null
  /** The order's note, or `null` when none was given or the customer was erased. */
  note: string | null
  /** The shop's own data about the order; `{}` when there is none or the customer was erased. */
  metadata: Metadata
  /** Σ captures of the order's payments (`store.payments`), in minor units. */
  capturedTotal: number
  /** Σ refunds of the order's payments, in minor units. */
  refundedTotal: number
  /** Where the order's money stands, derived from its payments; `unpaid` before any. */
  paymentStatus: OrderPaymentStatus
  /** When the order was placed. */
  createdAt: Date
  /** When the order last changed. */
  updatedAt: Date
}

/**
 * The order {@link OrderRepository.create} returns: the {@link Order}, plus whether this call placed it
 * or replayed the one its idempotency key placed before.
 *
 * @example
 * ```ts
 * const order: PlacedOrder = await store.orders.create(input, { idempotencyKey })
 * res.status(order.replayed ? 200 : 201).json(order)
 * ```
 */
export interface PlacedOrder extends Order {
  /**
   * `true` when the idempotency key had already placed this order and nothing was written now (answer
   * HTTP 200 rather than 201). Non-enumerable: `JSON.stringify`, spreading and deep equality see the
   * order alone, the same as a first response.
   */
  readonly replayed: boolean
}

/**
 * One entry in an order's history.
 *
 * @example
 * ```ts
 * const history: OrderEvent[] = await store.orders.events(order.id)
 * history.map((e) => `${e.from ?? 'new'} → ${e.to}`)
 * ```
 */
export interface OrderEvent {
  /** The event's id, a UUIDv7. */
  id: string
  /** `order_placed` first, then one `status_changed` per transition. */
  type: 'order_placed' | 'status_changed'
  /** `null` for `order_placed`. */
  from: OrderStatus | null
  /** The status the order moved to; `pending` for `order_placed`. */
  to: OrderStatus
  /** The transition's note, or `null` when none was given or the customer was erased. */
  note: string | null
  /** Who made the change, as the host names them. */
  actor: string | null
  /** When it happened. */
  at: Date
}

/**
 * Options for {@link OrderRepository.transition}.
 *
 * @example
 * ```ts
 * await store.orders.transition(order.id, 'shipped', { expectedVersion: order.version, note: 'UPS 1Z999',
 *   actor: 'warehouse' })
 * ```
 */
export interface TransitionOptions {
  /** Fail with `VERSION_CONFLICT` unless the order is still at this version. */
  expectedVersion?: number | undefined
  /** Recorded in the event. */
  note?: string | null | undefined
  /** Who made the change, recorded in the event. */
  actor?: string | null | undefined
}

/**
 * Filters and paging for {@link OrderRepository.list}.
 *
 * @example
 * ```ts
 * await store.orders.list({ status: ['paid', 'shipped'], createdAfter: new Date('2026-01-01'), limit: 50 })
 * ```
 */
export interface ListOrdersOptions {
  /** Only this customer's orders. */
  customerId?: string | undefined
  /** Compared case-insensitively. */
  email?: string | undefined
  /** One status or several. */
  status?: OrderStatus | OrderStatus[] | undefined
  /** One payment status or several, such as `'authorized'` for orders waiting to be captured. */
  paymentStatus?: OrderPaymentStatus | OrderPaymentStatus[] | undefined
  /** Only orders created at or after this instant. */
  createdAfter?: Date | undefined
  /** Only orders created before this instant. */
  createdBefore?: Date | undefined
  /** 1 to 100. @defaultValue 20 */
  limit?: number | undefined
  /** `nextCursor` from the previous page. */
  cursor?: string | null | undefined
}

/**
 * The orders of a shop. Every method validates its input and throws a `CheckoutStoreError` with a
 * stable code, writing nothing, when it is wrong.
 *
 * @example
 * ```ts
 * const orders: OrderRepository = store.orders
 * const order = await orders.findByNumber(1001)
 * ```
 */
export interface OrderRepository {
  /**
   * Places an order in one transaction: the order, its lines and its `order_placed` event. Totals are
   * computed here, in integers.
   *
   * @throws `VALIDATION_FAILED`, `NOT_FOUND` (customerId), `IDEMPOTENCY_KEY_REUSED`, `CARD_DATA_REJECTED`
   * @example
   * ```ts
   * const order = await store.orders.create({
   *   customerId: ada.id,
   *   currency: 'USD',
   *   items: [{ sku: 'TEE-BLUE-M', name: 'Blue tee', attributes: { size: 'M' }, quantity: 2, unitPrice: 1999 }],
   *   shippingTotal: 500,
   * }, { idempotencyKey: checkoutSessionId })
   * order.total // 4498
   * res.status(order.replayed ? 200 : 201).json(order) // a retry of the same checkout gets the same order
   * ```
   */
  create(input: OrderInput, options?: CreateOrderOptions): Promise<PlacedOrder>
  /**
   * Places 1 to 1,000 orders (10,000 lines at most in all) in one transaction, the fast path for a bulk
   * import: one counter update for all their numbers, then a few multi-row inserts. Each input is checked
   * exactly as {@link OrderRepository.create} checks one, card data first over the whole list; issue paths
   * start with the input's index (`3.items.0.quantity`). If any input is wrong, or a customerId does not
   * exist, nothing is written.
   *
   * There is no idempotency key: a failed import writes nothing, so the caller retries the whole call (or
   * its batch). For a checkout, where a shopper's double submit must give one order, use
   * {@link OrderRepository.create} with `idempotencyKey`.
   *
   * @returns The orders in input order, numbered consecutively in that order.
   * @throws `VALIDATION_FAILED`, `NOT_FOUND` (customerId), `CARD_DATA_REJECTED`
   * @example
   * ```ts
   * // Import a legacy shop's orders (an OrderInput[]), 1,000 per call.
   * for (let i = 0; i < legacy.length; i += 1000) {
   *   const orders = await store.orders.createMany(legacy.slice(i, i + 1000))
   *   console.log(orders.map((o) => o.number)) // [1001, 1002, 1003, …], in the order of the inputs
   * }
   * ```
   */
  createMany(inputs: OrderInput[]): Promise<Order[]>
  /**
   * The order with its lines.
   *
   * @throws `NOT_FOUND`
   * @example
   * ```ts
   * const order = await store.orders.get(id)
   * ```
   */
  get(id: string): Promise<Order>
  /**
   * Like {@link OrderRepository.get}, but `null` when there is none.
   *
   * @example
   * ```ts
   * const maybe = await store.orders.find(id)
   * ```
   */
  find(id: string): Promise<Order | null>
  /**
   * The order with this human-readable number, or `null`.
   *
   * @example
   * ```ts
   * const order = await store.orders.findByNumber(1001)
   * ```
   */
  findByNumber(number: number): Promise<Order | null>
  /**
   * A page of orders with their lines, newest first.
   *
   * @example
   * ```ts
   * const { items, nextCursor } = await store.orders.list({ customerId: ada.id, status: ['paid', 'shipped'], limit: 20 })
   * ```
   */
  list(options?: ListOrdersOptions): Promise<Page<Order>>
  /**
   * Moves the order to another status, if the status table allows it, and records the event.
   *
   * @throws `NOT_FOUND`, `INVALID_TRANSITION`, `VERSION_CONFLICT`
   * @example
   * ```ts
   * const paid = await store.orders.transition(order.id, 'paid', { expectedVersion: order.version, note: 'captured' })
   * ```
   */
  transition(id: string, to: OrderStatus, options?: TransitionOptions): Promise<Order>
  /**
   * The order's history, oldest first, starting with `order_placed`.
   *
   * @throws `NOT_FOUND`
   * @example
   * ```ts
   * for (const event of await store.orders.events(order.id)) console.log(event.type, event.from, event.to)
   * ```
   */
  events(id: string): Promise<OrderEvent[]>
}
