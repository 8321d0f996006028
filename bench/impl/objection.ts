import { Model, type ModelObject, type Pojo, type QueryBuilder, raw, snakeCaseMappers } from 'objection'
import { uuidv7 } from 'uuidv7'
import type { BenchDatabase } from '../databases.js'
import type { BenchOrderInput, Dialect, Implementation } from '../workload.js'
import { lineSharesOf, ORDER_NUMBER_COUNTER, TABLES, totalsOf } from '../workload.js'

/*
 * (d) Objection.js, written as its documentation shows: Model classes with tableName, relationMappings,
 * jsonAttributes and snakeCaseMappers; W1 and W5 with insertGraph in a transaction (the order, its lines
 * and its order_placed event in one graph), W2 and W3 with withGraphFetched('lines'), W4 with patch in a
 * transaction. Same tables, same logical work: the order number comes from the counter row.
 */

const BIGINTS = [
  'number',
  'subtotal',
  'shippingTotal',
  'taxTotal',
  'discountTotal',
  'total',
  'unitPrice',
] as const

/** Shared by the models: camelCase properties over the snake_case columns. */
class BaseModel extends Model {
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

class OrderLineModel extends BaseModel {
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
}

class OrderEventModel extends BaseModel {
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

class OrderModel extends BaseModel {
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
  declare lines?: OrderLineModel[]
  declare events?: OrderEventModel[]
}

class CounterModel extends BaseModel {
  static override tableName = TABLES.counters
  static override idColumn = 'name'

  declare name: string
  declare value: number | string
}

type OrderGraph = Omit<ModelObject<OrderModel>, 'lines' | 'events'> & {
  lines: Array<Omit<ModelObject<OrderLineModel>, 'orderId'>>
  events: Array<Omit<ModelObject<OrderEventModel>, 'orderId'>>
}

/** Creates the Objection implementation; binds the models to the shared Knex pool. */
export function createObjection(db: BenchDatabase): Implementation {
  const { dialect } = db
  Model.knex(db.knex)

  return {
    key: 'objection',
    label: '(d) Objection',

    async createOrder(input) {
      const id = uuidv7()
      await OrderModel.transaction(async (trx) => {
        const number = await takeNumbers(trx, dialect, 1)
        await OrderModel.query(trx).insertGraph(graphOf(dialect, input, id, number, new Date()))
      })
      return id
    },

    async getOrder(id) {
      const order = await OrderModel.query().findById(id).withGraphFetched('lines(byPosition)')
      if (!order) throw new Error(`order ${id} not found`)
      return order.lines?.length ?? 0
    },

    async listCustomerOrders(customerId, limit) {
      const orders = await OrderModel.query()
        .where('customer_id', customerId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .withGraphFetched('lines(byPosition)')
      return [orders.length, orders.reduce((sum, o) => sum + (o.lines?.length ?? 0), 0)]
    },

    async markPaid(id) {
      const at = new Date()
      await OrderModel.transaction(async (trx) => {
        const order = await OrderModel.query(trx).findById(id).select('status', 'version')
        if (order?.status !== 'pending') throw new Error(`order ${id} is not pending`)
        const version = Number(order.version)
        const patched = await OrderModel.query(trx)
          .patch({ status: 'paid', version: version + 1, updatedAt: when(dialect, at) })
          .where({ id, version, status: 'pending' })
        if (patched !== 1) throw new Error(`order ${id} changed meanwhile`)
        await OrderEventModel.query(trx).insert({
          id: uuidv7(),
          orderId: id,
          type: 'status_changed',
          fromStatus: 'pending',
          toStatus: 'paid',
          note: null,
          actor: null,
          createdAt: when(dialect, at),
        })
      })
    },

    async importOrders(inputs) {
      const size = 500
      for (let start = 0; start < inputs.length; start += size) {
        const batch = inputs.slice(start, start + size)
        await OrderModel.transaction(async (trx) => {
          const last = await takeNumbers(trx, dialect, batch.length)
          const at = new Date()
          const first = last - batch.length + 1
          await OrderModel.query(trx).insertGraph(
            batch.map((input, i) => graphOf(dialect, input, uuidv7(), first + i, at)),
          )
        })
      }
    },
  }
}

function when(dialect: Dialect, at: Date): Date | number {
  return dialect === 'sqlite3' ? at.getTime() : at
}

/** Advances the counter by `count`; returns the last number taken. */
async function takeNumbers(
  trx: Parameters<typeof OrderModel.query>[0],
  dialect: Dialect,
  count: number,
): Promise<number> {
  const bump = CounterModel.query(trx)
    .patch({ value: raw('value + ?', [count]) })
    .where('name', ORDER_NUMBER_COUNTER)
  if (dialect === 'mysql') {
    // No RETURNING on MySQL: the update locks the row, the read in the same transaction sees the new value.
    await bump
    const counter = await CounterModel.query(trx).findById(ORDER_NUMBER_COUNTER)
    return Number(counter?.value)
  }
  const rows = (await bump.returning('value')) as unknown as CounterModel[]
  return Number(rows[0]?.value)
}

function graphOf(dialect: Dialect, input: BenchOrderInput, id: string, number: number, at: Date): OrderGraph {
  const { subtotal, total } = totalsOf(input)
  const stamp = when(dialect, at)
  return {
    id,
    number,
    customerId: input.customerId,
    email: input.email,
    emailNormalized: input.email.toLowerCase(),
    status: 'pending',
    currency: input.currency,
    subtotal,
    shippingTotal: input.shippingTotal,
    taxTotal: input.taxTotal,
    discountTotal: input.discountTotal,
    total,
    shippingAddress: input.shippingAddress,
    billingAddress: input.billingAddress,
    payment: input.payment,
    note: null,
    metadata: null,
    version: 1,
    createdAt: stamp,
    updatedAt: stamp,
    lines: input.items.map((item, position) => ({
      id: uuidv7(),
      position,
      sku: item.sku,
      name: item.name,
      attributes: item.attributes,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
      total: item.quantity * item.unitPrice,
      taxTotal: lineSharesOf(input)[position]?.taxTotal ?? 0,
      discountTotal: lineSharesOf(input)[position]?.discountTotal ?? 0,
      productId: null,
      variantId: null,
      metadata: null,
    })),
    events: [
      {
        id: uuidv7(),
        type: 'order_placed',
        fromStatus: null,
        toStatus: 'pending',
        note: null,
        actor: null,
        createdAt: stamp,
      },
    ],
  }
}
