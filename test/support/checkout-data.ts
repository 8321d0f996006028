import type { CustomerAddressInput, CustomerInput, OrderInput, PaymentMethodInput } from '../../src/index.js'

/*
 * One shopper's checkout, as the design's scenario tells it, with text that tends to break storage:
 * astral-plane characters, combining marks, quotes, backslashes and SQL metacharacters.
 */

/** A new customer; `tag` makes the email unique. */
export function sampleCustomer(tag: string | number): CustomerInput {
  return {
    email: `Ada.${tag}@Example.com`,
    name: "Ada 'Countess' Lovelace 👩‍💻 \\ 𝔄𝔡𝔞",
    phone: '+44 20 7946 0958',
    metadata: { source: 'checkout; drop table x; --', emoji: '🧵🪡', quote: '"\'`' },
  }
}

/** A saved shipping address. */
export const SAMPLE_ADDRESS: CustomerAddressInput = {
  name: 'Ada Lovelace',
  company: "O'Brien & Søn \\ Ltd",
  line1: '12 St James Sq',
  line2: 'Flat 3 — 2nd floor 🏠',
  city: 'London',
  region: null,
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  phone: '+44 20 7946 0000',
  isDefaultShipping: true,
}

/** A saved card: its provider token and the few details PCI DSS allows. */
export const SAMPLE_CARD: PaymentMethodInput = {
  provider: 'stripe',
  token: 'pm_1Q2w3E4r5T6y',
  brand: 'visa',
  last4: '4242',
  expMonth: 12,
  expYear: 2030,
  fingerprint: 'fp_Xy9',
  isDefault: true,
}

/** An order of a shirt in size M, for `customerId` or, without one, a guest. */
export function sampleOrder(customerId?: string): OrderInput {
  const address = {
    name: 'Ada Lovelace',
    line1: '12 St James Sq',
    city: 'London',
    postalCode: 'SW1Y 4JH',
    country: 'GB',
  }
  return {
    ...(customerId === undefined ? { email: 'guest@example.com' } : { customerId }),
    currency: 'USD',
    items: [
      {
        sku: 'TEE-BLUE-M',
        name: 'Blue tee "classic" 👕',
        attributes: { size: 'M', color: 'blue', 'fit%': "slim_'50%'" },
        quantity: 2,
        unitPrice: 1999,
      },
      {
        sku: 'SOCK-𝟘𝟙',
        name: 'Socks \\ pair',
        quantity: 1,
        unitPrice: 0,
        productId: 'p_1',
        variantId: 'v_1',
      },
    ],
    shippingAddress: address,
    billingAddress: { ...address, company: 'Analytical Engines' },
    shippingTotal: 500,
    taxTotal: 320,
    discountTotal: 100,
    payment: { provider: 'stripe', reference: 'pi_3N0aBc', brand: 'visa', last4: '4242' },
    note: 'Leave at the door; ring twice.\nThanks!',
    metadata: { cart: 'c_42', ua: 'Mozilla/5.0 (X11; Linux) 🦊' },
  }
}
