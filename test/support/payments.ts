import type { CheckoutStore, Order, OrderInput, Payment } from '../../src/index.js'
import { guestOrder, item } from './orders.js'

/** An order of 2 shirts at 1999 and 1 cap at 1500, shipping 500, tax 550, discount 300: total 6248. */
export function shirtOrder(overrides: Partial<OrderInput> = {}): OrderInput {
  return guestOrder({
    items: [
      item({ sku: 'TEE-BLUE-M', quantity: 2, unitPrice: 1999 }),
      item({ sku: 'CAP', quantity: 1, unitPrice: 1500 }),
    ],
    shippingTotal: 500,
    taxTotal: 550,
    discountTotal: 300,
    ...overrides,
  })
}

/** Places an order and authorizes its whole total (captured too when `capture`). */
export async function paidOrder(
  store: CheckoutStore,
  options: { capture?: boolean; input?: Partial<OrderInput>; amount?: number } = {},
): Promise<{ order: Order; payment: Payment }> {
  const order = await store.orders.create(shirtOrder(options.input))
  const payment = await store.payments.authorize(order.id, {
    provider: 'stripe',
    reference: `pi_${order.number}`,
    amount: options.amount ?? order.total,
    capture: options.capture ?? false,
  })
  return { order, payment }
}

/** The codes of the rejected results. */
export function rejectedCodes(results: PromiseSettledResult<unknown>[]): string[] {
  return results
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => (r.reason as { code?: string }).code ?? String(r.reason))
}
