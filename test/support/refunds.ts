import type { CheckoutStore } from '../../src/index.js'

/**
 * Refunds `quantity` units of one order line through the payments ledger, as a shop does: the order's
 * first payment, or a sale of its total taken for the purpose, refunded by line.
 */
export async function refundUnits(
  store: CheckoutStore,
  orderId: string,
  lineId: string,
  quantity: number,
): Promise<void> {
  const [first] = await store.payments.list(orderId)
  const payment =
    first ??
    (await store.payments.authorize(orderId, {
      provider: 'test',
      reference: `pi_${orderId}`,
      amount: (await store.orders.get(orderId)).total,
      capture: true,
    }))
  await store.payments.refund(payment.id, { items: [{ lineId, quantity }] })
}
