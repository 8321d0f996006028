// The shop scenario end to end on an embedded SQLite file: a shopper checks out, the server stores it,
// and a new connection (a server restarted a week later) reads it all back. Run: npm run demo
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import knex from 'knex'
import { CheckoutStoreError, createCheckoutStore } from '../../dist/index.js'

const file = fileURLToPath(new URL('./shop.db', import.meta.url))
for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })

// What a host puts in its Knex config for SQLite: foreign keys on for every pooled connection.
const connect = () =>
  knex({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: {
      afterCreate(conn, done) {
        conn.pragma('foreign_keys = ON')
        conn.pragma('journal_mode = WAL')
        done(null, conn)
      },
    },
  })

const address = {
  name: 'Ada Lovelace',
  line1: '12 St James Sq',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
}

// --- Checkout: the shopper presses submit ---------------------------------------------------------
const db = connect()
const store = createCheckoutStore(db)
console.log('migrations applied:', await store.migrate())

const ada = await store.customers.create({
  email: 'Ada@Example.com',
  name: 'Ada Lovelace',
  phone: '+44 20 7946 0958',
})
await store.customers.addAddress(ada.id, { ...address, isDefaultShipping: true, isDefaultBilling: true })
await store.customers.addPaymentMethod(ada.id, {
  provider: 'stripe',
  token: 'pm_1Q2w3E',
  brand: 'visa',
  last4: '4242',
  expMonth: 12,
  expYear: 2030,
})

// The card number the shopper typed goes to the payment provider, never here: the store refuses it.
try {
  await store.customers.update(ada.id, { metadata: { note: 'card 4242 4242 4242 4242' } })
} catch (error) {
  if (!(error instanceof CheckoutStoreError)) throw error
  console.log(`refused: ${error.code} (${error.message})`)
}

const order = await store.orders.create(
  {
    customerId: ada.id,
    currency: 'USD',
    items: [
      {
        sku: 'TEE-BLUE-M',
        name: 'Blue tee',
        attributes: { size: 'M', color: 'blue' },
        quantity: 2,
        unitPrice: 1999,
      },
    ],
    shippingAddress: address,
    billingAddress: address,
    shippingTotal: 500,
    taxTotal: 320,
    payment: { provider: 'stripe', reference: 'pi_3N0demo', brand: 'visa', last4: '4242' },
  },
  { idempotencyKey: 'checkout-session-0001' },
)
const paid = await store.orders.transition(order.id, 'paid', {
  expectedVersion: order.version,
  note: 'captured',
})
await store.orders.transition(order.id, 'shipped', { expectedVersion: paid.version, actor: 'warehouse' })
await db.destroy()

// --- A week later: a new process, a new connection ---------------------------------------------------
const later = connect()
const again = createCheckoutStore(later)
const customer = await again.customers.findByEmail('ada@example.com')
const [stored] = (await again.orders.list({ customerId: customer.id, limit: 1 })).items

console.log('\ncustomer, read back through a new connection:')
console.dir(customer, { depth: 4 })
console.log(
  `\norder #${stored.number}: ${stored.status}, total ${(stored.total / 100).toFixed(2)} ${stored.currency}`,
)
for (const line of stored.items) {
  console.log(
    `  ${line.quantity} × ${line.name} (${line.sku}, size ${line.attributes.size}) at ${line.unitPrice}`,
  )
}
console.log('history:')
for (const event of await again.orders.events(stored.id)) {
  const by = event.actor ? ` by ${event.actor}` : ''
  const note = event.note ? ` (${event.note})` : ''
  console.log(`  ${event.at.toISOString()} ${event.type}: ${event.from ?? '-'} → ${event.to}${by}${note}`)
}
await later.destroy()
