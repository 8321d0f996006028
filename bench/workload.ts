import { lineShares, refundableTotal, unitsRefundAmount } from '../src/payments/allocation.js'

/*
 * What every implementation is asked to do, and the data it is asked to do it with. One input shape
 * for all five implementations, so they store the same rows: the bench checks that before timing.
 */

/** The dialects, named as the library names them. */
export type Dialect = 'sqlite3' | 'postgresql' | 'mysql'

/** The tables' prefix: the library's own `store.migrate()` creates them under it. */
export const TABLE_PREFIX = 'bench_'

/** The table names under {@link TABLE_PREFIX}, as the library's migration names them. */
export const TABLES = {
  customers: `${TABLE_PREFIX}customers`,
  addresses: `${TABLE_PREFIX}addresses`,
  paymentMethods: `${TABLE_PREFIX}payment_methods`,
  orders: `${TABLE_PREFIX}orders`,
  orderLines: `${TABLE_PREFIX}order_lines`,
  orderEvents: `${TABLE_PREFIX}order_events`,
  idempotencyKeys: `${TABLE_PREFIX}idempotency_keys`,
  counters: `${TABLE_PREFIX}counters`,
  payments: `${TABLE_PREFIX}payments`,
  paymentTransactions: `${TABLE_PREFIX}payment_transactions`,
  refundLines: `${TABLE_PREFIX}refund_lines`,
  fulfillments: `${TABLE_PREFIX}fulfillments`,
  fulfillmentLines: `${TABLE_PREFIX}fulfillment_lines`,
} as const

/** The counter row behind order numbers (src/schema/0001-initial.ts). */
export const ORDER_NUMBER_COUNTER = 'order_number'

/** An address snapshot with every field present, in the key order the library stores. */
export interface BenchAddress {
  name: string
  company: string | null
  line1: string
  line2: string | null
  city: string
  region: string | null
  postalCode: string | null
  country: string
  phone: string | null
}

/** One line of a bench order. */
export interface BenchItem {
  sku: string
  name: string
  attributes: Record<string, string>
  quantity: number
  unitPrice: number
}

/** The payment summary of a bench order, in the key order the library stores. */
export interface BenchPayment {
  provider: string
  reference: string
  brand: string
  last4: string
}

/**
 * A new order for an existing customer. The email is passed along with the customer id so that every
 * implementation, the library included, has what it needs without reading the customer.
 */
export interface BenchOrderInput {
  customerId: string
  email: string
  currency: string
  items: BenchItem[]
  shippingAddress: BenchAddress
  billingAddress: BenchAddress
  shippingTotal: number
  taxTotal: number
  discountTotal: number
  payment: BenchPayment
}

/** The work one implementation can do. W1 to W3 are required; W4, W5, W7 and W8 are optional (raw driver). */
export interface Implementation {
  /** Short key, also the JSON key. */
  readonly key: ImplementationKey
  /** Column heading. */
  readonly label: string
  /** W1: places the order in one transaction; returns its id. */
  createOrder(input: BenchOrderInput): Promise<string>
  /** W2: the order with its lines; returns the number of lines read. */
  getOrder(id: string): Promise<number>
  /** W3: the customer's `limit` most recent orders with their lines; returns [orders, lines] read. */
  listCustomerOrders(customerId: string, limit: number): Promise<[number, number]>
  /** W4: pending → paid, with the status_changed event, in one transaction. */
  markPaid?(id: string): Promise<void>
  /**
   * W8: packs every unit of a paid order in one parcel (one transaction), then ships it with carrier and
   * tracking (another): the order ends `shipped`, with its `status_changed` event.
   */
  fulfilAndShip?(orderId: string): Promise<void>
  /**
   * W7: captures {@link W7.capture} of the order's open authorization (one transaction), then refunds
   * {@link W7.refundUnits} unit of its first line by line (another), each under the order's row lock.
   */
  captureAndRefund?(order: PaymentFixture): Promise<void>
  /** W5: imports the orders the fastest way the implementation offers. */
  importOrders?(inputs: readonly BenchOrderInput[]): Promise<void>
  /** Releases what the implementation opened itself. */
  close?(): Promise<void>
}

/** The implementations, in the order they are run and printed. */
export const IMPLEMENTATION_KEYS = ['checkout-store', 'knex', 'raw', 'objection', 'drizzle'] as const

/** One of {@link IMPLEMENTATION_KEYS}. */
export type ImplementationKey = (typeof IMPLEMENTATION_KEYS)[number]

/** An order W7 works on: placed and authorized for its total by the library before the clock starts. */
export interface PaymentFixture {
  readonly orderId: string
  /** Its one payment: an open authorization of the order's total. */
  readonly paymentId: string
  /** The line W7 refunds a unit of: two shirts. */
  readonly lineId: string
}

/** What W7 does on each {@link PaymentFixture}: a partial capture, then a refund of one shirt by line. */
export const W7 = { capture: 3000, refundUnits: 1 } as const

/**
 * The order W7 captures and refunds: two shirts and a cap, with shipping, tax and a discount, so the
 * refunded shirt's amount takes its share of both (6,248 in all; capture 3,000, refund 2,090).
 */
export function paymentOrderInput(): {
  email: string
  currency: string
  items: BenchItem[]
  shippingTotal: number
  taxTotal: number
  discountTotal: number
} {
  return {
    email: 'payments@bench.example',
    currency: 'USD',
    items: [
      { sku: 'TEE-BLUE-M', name: 'Blue tee', attributes: { size: 'M' }, quantity: 2, unitPrice: 1999 },
      { sku: 'CAP-BLACK', name: 'Black cap', attributes: { color: 'black' }, quantity: 1, unitPrice: 1500 },
    ],
    shippingTotal: 500,
    taxTotal: 550,
    discountTotal: 300,
  }
}

/** A line's amounts as stored, for a refund by line. */
export interface RefundableLine {
  readonly quantity: number
  readonly total: number
  readonly taxTotal: number
  readonly discountTotal: number
  /** Units refunded by earlier refunds. */
  readonly refundedQuantity: number
}

/**
 * What refunding `units` more units of the line gives back, computed as the library computes it
 * (src/payments/allocation.ts): the line's total less its discount share plus its tax share, split over
 * its units so that every unit refunded, however split, adds up to exactly that.
 */
export function lineRefundAmount(line: RefundableLine, units: number): number {
  const refundable = refundableTotal({
    total: line.total,
    taxTotal: line.taxTotal,
    discountTotal: line.discountTotal,
  })
  return unitsRefundAmount(refundable, line.quantity, line.refundedQuantity, units)
}

/** The carrier and tracking number W8 ships with. */
export const PARCEL = { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' } as const

/** The shipping address every bench order carries. */
export const SHIPPING_ADDRESS: BenchAddress = {
  name: 'Ada Lovelace',
  company: null,
  line1: '12 St James Sq',
  line2: null,
  city: 'London',
  region: null,
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  phone: '+44 20 7946 0958',
}

/** The billing address every bench order carries. */
export const BILLING_ADDRESS: BenchAddress = {
  name: 'Ada Lovelace',
  company: 'Analytical Engines Ltd',
  line1: '1 Dorset St',
  line2: 'Flat 3',
  city: 'London',
  region: 'Greater London',
  postalCode: 'W1U 4EG',
  country: 'GB',
  phone: null,
}

/** Three lines, as in W1: quantities 1, 2, 3 of differently priced items. */
export const ITEMS: readonly BenchItem[] = [
  {
    sku: 'TEE-BLUE-M',
    name: 'Blue tee',
    attributes: { size: 'M', color: 'blue' },
    quantity: 1,
    unitPrice: 1999,
  },
  {
    sku: 'TEE-RED-L',
    name: 'Red tee',
    attributes: { size: 'L', color: 'red' },
    quantity: 2,
    unitPrice: 1999,
  },
  { sku: 'MUG-WHITE', name: 'White mug', attributes: { color: 'white' }, quantity: 3, unitPrice: 1999 },
]

/** The new order W1 and W5 place for a customer. */
export function orderInput(customerId: string, email: string, sequence: number): BenchOrderInput {
  return {
    customerId,
    email,
    currency: 'USD',
    items: ITEMS.map((item) => ({ ...item, attributes: { ...item.attributes } })),
    shippingAddress: { ...SHIPPING_ADDRESS },
    billingAddress: { ...BILLING_ADDRESS },
    shippingTotal: 500,
    taxTotal: 320,
    discountTotal: 0,
    payment: { provider: 'stripe', reference: `pi_bench_${sequence}`, brand: 'visa', last4: '4242' },
  }
}

/**
 * Each line's share of the order's tax and discount, as the library stores it (allocated by largest
 * remainder, src/payments/allocation.ts): every implementation writes the same line rows.
 */
export function lineSharesOf(
  input: Pick<BenchOrderInput, 'items' | 'taxTotal' | 'discountTotal'>,
): { taxTotal: number; discountTotal: number }[] {
  return lineShares(
    input.items.map((item) => ({ quantity: item.quantity, total: item.quantity * item.unitPrice })),
    input.taxTotal,
    input.discountTotal,
  )
}

/** The totals the library computes: Σ quantity × unitPrice, then shipping and tax, less discount. */
export function totalsOf(
  input: Pick<BenchOrderInput, 'items' | 'shippingTotal' | 'taxTotal' | 'discountTotal'>,
): { subtotal: number; total: number } {
  const subtotal = input.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0)
  return { subtotal, total: subtotal + input.shippingTotal + input.taxTotal - input.discountTotal }
}

/*
 * Seeded rows. Seeded ids are UUIDv7-shaped like the library's (48-bit millisecond time, then
 * version 7), with a kind in the next group and a counter at the end, so they sort by (created_at, id)
 * exactly as library-made ids do, and can be computed in SQL (seed.ts) and in JS (here) alike.
 */

/** Seeded order n was created at SEED_EPOCH_MS + n × SEED_STEP_MS: all before any order the bench places. */
export const SEED_EPOCH_MS = Date.UTC(2024, 0, 1)
/** Milliseconds between two seeded orders. */
export const SEED_STEP_MS = 100
/** When the seeded customers were created. */
export const CUSTOMER_CREATED_MS = SEED_EPOCH_MS - 86_400_000

/** The kind group of a seeded id, one per table. */
export const SEED_KIND = { order: '7000', line: '7001', event: '7002', customer: '7003' } as const

/** Lower-case hex, zero-padded to `width` digits. */
export function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0')
}

/** The id seed.ts gives row `counter` of `kind`, created at `ms`. */
export function seedId(kind: keyof typeof SEED_KIND, ms: number, counter: number): string {
  const time = hex(ms, 12)
  return `${time.slice(0, 8)}-${time.slice(8)}-${SEED_KIND[kind]}-8000-${hex(counter, 12)}`
}

/** The id of seeded customer `index`. */
export function customerId(index: number): string {
  return seedId('customer', CUSTOMER_CREATED_MS, index)
}

/** The email of seeded customer `index`. */
export function customerEmail(index: number): string {
  return `customer${index}@bench.example`
}

/** The id of seeded order `n`. */
export function seededOrderId(n: number): string {
  return seedId('order', SEED_EPOCH_MS + n * SEED_STEP_MS, n)
}
