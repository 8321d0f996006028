import { Model, type Pojo, type QueryBuilder, snakeCaseMappers } from 'objection'
import { TABLES } from '../workload.js'

/*
 * The Objection models over the library's tables, as Objection's docs define them: one class per table
 * with tableName, relationMappings and jsonAttributes, camelCase properties through snakeCaseMappers.
 * Orders with their lines and events (W1 to W5), payments with their ledger and its refund lines (W7),
 * fulfillments with their lines (W8).
 */

const BIGINTS = [
  'number',
  'subtotal',
  'shippingTotal',
  'taxTotal',
  'discountTotal',
  'total',
  'unitPrice',
  'amount',
  'capturedAmount',
  'refundedAmount',
  'voidedAmount',
  'capturedTotal',
  'refundedTotal',
] as const

/** Shared by the models: camelCase properties over the snake_case columns. */
export class BaseModel extends Model {
  static override columnNameMappers = snakeCaseMappers()

  // pg returns BIGINT as a string and SQLite keeps dates as integer milliseconds: read both as the
  // other implementations do.
  override $parseDatabaseJson(json: Pojo): Pojo {
    const parsed = super.$parseDatabaseJson(json)
    for (const key of BIGINTS) if (typeof parsed[key] === 'string') parsed[key] = Number(parsed[key])
    for (const key of ['createdAt', 'updatedAt']) {
      const value: unknown = parsed[key]
      if (value !== undefined && value !== null && !(value instanceof Date))
        parsed[key] = new Date(Number(value))
    }
    return parsed
  }
}

export class OrderLineModel extends BaseModel {
  static override tableName = TABLES.orderLines
  static override jsonAttributes = ['attributes', 'metadata']
  static override modifiers = {
    byPosition(query: QueryBuilder<OrderLineModel>) {
      query.orderBy('position')
    },
  }

  declare id: string
  declare orderId: string
  declare position: number
  declare sku: string
  declare name: string
  declare attributes: Record<string, string>
  declare quantity: number
  declare unitPrice: number
  declare total: number
  declare taxTotal: number
  declare discountTotal: number
  declare productId: string | null
  declare variantId: string | null
  declare metadata: object | null
  /** Written by refunds by line and by fulfillments (W7, W8); the database's default on insert. */
  declare refundedQuantity?: number
  declare fulfilledQuantity?: number
}

export class OrderEventModel extends BaseModel {
  static override tableName = TABLES.orderEvents

  declare id: string
  declare orderId: string
  declare type: string
  declare fromStatus: string | null
  declare toStatus: string
  declare note: string | null
  declare actor: string | null
  declare createdAt: Date | number
}

export class OrderModel extends BaseModel {
  static override tableName = TABLES.orders
  static override jsonAttributes = ['shippingAddress', 'billingAddress', 'payment', 'metadata']
  static override relationMappings = () => ({
    lines: {
      relation: Model.HasManyRelation,
      modelClass: OrderLineModel,
      join: { from: `${TABLES.orders}.id`, to: `${TABLES.orderLines}.order_id` },
    },
    events: {
      relation: Model.HasManyRelation,
      modelClass: OrderEventModel,
      join: { from: `${TABLES.orders}.id`, to: `${TABLES.orderEvents}.order_id` },
    },
    payments: {
      relation: Model.HasManyRelation,
      modelClass: PaymentModel,
      join: { from: `${TABLES.orders}.id`, to: `${TABLES.payments}.order_id` },
    },
    fulfillments: {
      relation: Model.HasManyRelation,
      modelClass: FulfillmentModel,
      join: { from: `${TABLES.orders}.id`, to: `${TABLES.fulfillments}.order_id` },
    },
  })

  declare id: string
  declare number: number
  declare customerId: string | null
  declare email: string
  declare emailNormalized: string
  declare status: string
  declare currency: string
  declare subtotal: number
  declare shippingTotal: number
  declare taxTotal: number
  declare discountTotal: number
  declare total: number
  declare shippingAddress: object | null
  declare billingAddress: object | null
  declare payment: object | null
  declare note: string | null
  declare metadata: object | null
  declare version: number
  declare createdAt: Date | number
  declare updatedAt: Date | number
  // Written by payments and fulfillments (W7, W8); the database's defaults when an order is placed.
  declare capturedTotal?: number
  declare refundedTotal?: number
  declare paymentStatus?: string
  declare fulfillmentStatus?: string
  declare lines?: OrderLineModel[]
  declare events?: OrderEventModel[]
  declare payments?: PaymentModel[]
  declare fulfillments?: FulfillmentModel[]
}

export class CounterModel extends BaseModel {
  static override tableName = TABLES.counters
  static override idColumn = 'name'

  declare name: string
  declare value: number | string
}

export class RefundLineModel extends BaseModel {
  static override tableName = TABLES.refundLines

  declare id: string
  declare transactionId: string
  declare lineId: string
  declare quantity: number
  declare amount: number
}

export class PaymentTransactionModel extends BaseModel {
  static override tableName = TABLES.paymentTransactions
  static override relationMappings = () => ({
    refundLines: {
      relation: Model.HasManyRelation,
      modelClass: RefundLineModel,
      join: { from: `${TABLES.paymentTransactions}.id`, to: `${TABLES.refundLines}.transaction_id` },
    },
  })

  declare id: string
  declare paymentId: string
  declare type: string
  declare amount: number
  declare reference: string | null
  declare note: string | null
  declare actor: string | null
  declare createdAt: Date | number
  declare refundLines?: RefundLineModel[]
}

export class PaymentModel extends BaseModel {
  static override tableName = TABLES.payments
  static override relationMappings = () => ({
    transactions: {
      relation: Model.HasManyRelation,
      modelClass: PaymentTransactionModel,
      join: { from: `${TABLES.payments}.id`, to: `${TABLES.paymentTransactions}.payment_id` },
    },
  })

  declare id: string
  declare orderId: string
  declare provider: string
  declare reference: string
  declare paymentMethodId: string | null
  declare currency: string
  declare amount: number
  declare capturedAmount: number
  declare refundedAmount: number
  declare voidedAmount: number
  declare status: string
  declare captureBefore: Date | number | null
  declare version: number
  declare createdAt: Date | number
  declare updatedAt: Date | number
  declare transactions?: PaymentTransactionModel[]
}

export class FulfillmentLineModel extends BaseModel {
  static override tableName = TABLES.fulfillmentLines
  // No id column: a parcel takes each order line once.
  static override idColumn = ['fulfillment_id', 'order_line_id']

  declare fulfillmentId: string
  declare orderLineId: string
  declare orderId: string
  declare position: number
  declare quantity: number
}

export class FulfillmentModel extends BaseModel {
  static override tableName = TABLES.fulfillments
  static override jsonAttributes = ['metadata']
  static override relationMappings = () => ({
    lines: {
      relation: Model.HasManyRelation,
      modelClass: FulfillmentLineModel,
      join: { from: `${TABLES.fulfillments}.id`, to: `${TABLES.fulfillmentLines}.fulfillment_id` },
    },
  })

  declare id: string
  declare orderId: string
  declare status: string
  declare carrier: string | null
  declare trackingNumber: string | null
  declare trackingUrl: string | null
  declare metadata: object | null
  declare version: number
  declare shippedAt: Date | number | null
  declare deliveredAt: Date | number | null
  declare cancelledAt: Date | number | null
  declare createdAt: Date | number
  declare updatedAt: Date | number
  declare lines?: FulfillmentLineModel[]
}
