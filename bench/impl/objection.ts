import { Model, type ModelObject, raw } from 'objection'
import { uuidv7 } from 'uuidv7'
import type { BenchDatabase } from '../databases.js'
import type { BenchOrderInput, Dialect, Implementation } from '../workload.js'
import { lineSharesOf, ORDER_NUMBER_COUNTER, totalsOf } from '../workload.js'
import { fulfilAndShip } from './objection-fulfillment.js'
import { CounterModel, OrderEventModel, type OrderLineModel, OrderModel } from './objection-models.js'
import { captureAndRefund } from './objection-payments.js'

/*
 * (d) Objection.js, written as its documentation shows: Model classes with tableName, relationMappings,
 * jsonAttributes and snakeCaseMappers; W1 and W5 with insertGraph in a transaction (the order, its lines
 * and its order_placed event in one graph), W2 and W3 with withGraphFetched('lines'), W4 with patch in a
 * transaction, W7 and W8 in objection-payments.ts and objection-fulfillment.ts. Same tables, same logical
 * work: the order number comes from the counter row. The models are in objection-models.ts.
 */

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

    async fulfilAndShip(orderId) {
      await fulfilAndShip(dialect, orderId)
    },

    async captureAndRefund(order) {
      await captureAndRefund(dialect, order)
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
