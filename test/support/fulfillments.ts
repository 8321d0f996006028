import type { Knex } from 'knex'
import type { CheckoutStore, Order, OrderStatus } from '../../src/index.js'
import { tableNames } from '../../src/schema/tables.js'
import { guestOrder, item } from './orders.js'

/** The default tables of the tests' stores. */
export const TABLES = tableNames('checkout_')

/**
 * `sql` without the outbox's own statements, which are the outbox's to count: its INSERT, and the bump
 * of an order's counter by a write that did not update the order's row itself. A write's own UPDATE of
 * the order, which advances the counter along, stays.
 */
export function withoutOutbox(sql: readonly string[]): string[] {
  return sql.filter(
    (s) =>
      !/^insert into ["`]?\w*outbox["`]? /i.test(s.trim()) &&
      !/^update \S+ set ["`]?outbox_sequence["`]? =/i.test(s.trim()),
  )
}

/** A guest order with one line per quantity given (a shirt in size S, M, L…), moved to `status`. */
export async function orderWithLines(
  store: CheckoutStore,
  quantities: readonly number[],
  status: OrderStatus = 'paid',
): Promise<Order> {
  const sizes = ['S', 'M', 'L', 'XL', 'XXL']
  const order = await store.orders.create(
    guestOrder({
      items: quantities.map((quantity, i) =>
        item({
          sku: `TEE-${sizes[i % sizes.length]}-${i}`,
          attributes: { size: sizes[i % 5] ?? 'M' },
          quantity,
        }),
      ),
    }),
  )
  const path: Record<OrderStatus, OrderStatus[]> = {
    pending: [],
    paid: ['paid'],
    shipped: ['paid', 'shipped'],
    delivered: ['paid', 'shipped', 'delivered'],
    cancelled: ['cancelled'],
    refunded: ['paid', 'refunded'],
  }
  let current: Order = order
  for (const to of path[status]) current = await store.orders.transition(order.id, to)
  return current
}

/** Row counts of the fulfillment tables and the sum of every line's fulfilled units. */
export async function fulfillmentState(db: Knex) {
  const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n)
  const sum = await db(TABLES.orderLines).sum({ n: 'fulfilled_quantity' }).first()
  return {
    fulfillments: await count(TABLES.fulfillments),
    lines: await count(TABLES.fulfillmentLines),
    keys: await count(TABLES.fulfillmentKeys),
    events: await count(TABLES.orderEvents),
    fulfilledUnits: Number(sum?.n ?? 0),
  }
}
