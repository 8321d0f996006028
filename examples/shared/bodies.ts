// The request bodies every example server accepts, typed with the library's own input types.
import type { AddressInput, FulfillmentInput, OrderItemInput, PaymentMethodInput } from 'checkout-store'

/** POST /checkout: contact details, a shipping address, the cart and the provider's card token. */
export interface CheckoutBody {
  email: string
  name?: string
  phone?: string
  shippingAddress: AddressInput
  paymentMethod: PaymentMethodInput
  items: OrderItemInput[]
  shippingTotal?: number
  note?: string
}

/** POST /orders/:id/pay: what the payment provider reported for the whole order. */
export interface PayBody {
  provider: string
  reference: string
}

/** POST /orders/:id/fulfillments: a parcel, with its tracking. */
export type FulfilBody = FulfillmentInput
