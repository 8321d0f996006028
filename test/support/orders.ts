import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import type { Customer, CustomerRepository } from '../../src/customers/customer.js'
import type { OrderInput, OrderItemInput } from '../../src/index.js'
import { detectDialect } from '../../src/sql/dialect.js'
import { toDbDate } from '../../src/sql/values.js'

/** The default table names the tests' stores use. */
export const T = {
  customers: 'checkout_customers',
  orders: 'checkout_orders',
  orderLines: 'checkout_order_lines',
  orderEvents: 'checkout_order_events',
  idempotencyKeys: 'checkout_idempotency_keys',
  counters: 'checkout_counters',
} as const

let emails = 0

/**
 * A new email each call. Not built from a UUID: joined by its dashes, about one UUIDv7 in 160 holds a
 * Luhn-valid digit run, which the card-data guard rightly refuses outside a bare UUID.
 */
export function uniqueEmail(): string {
  emails += 1
  return `customer-${emails}-${Date.now().toString(36)}@example.com`
}

/**
 * Creates a customer through the customers repository when it is implemented, else (while it is a
 * stub) inserts the row directly. `db` must be the executor the store runs on (a transaction inside
 * `store.transaction`).
 */
export async function createCustomer(
  repo: CustomerRepository,
  db: Knex,
  email = uniqueEmail(),
): Promise<Pick<Customer, 'id' | 'email'>> {
  if (typeof repo.create === 'function') return repo.create({ email })
  const id = uuidv7()
  const now = toDbDate(detectDialect(db), new Date())
  await db(T.customers).insert({
    id,
    email,
    email_normalized: email.toLowerCase(),
    name: null,
    phone: null,
    metadata: null,
    version: 1,
    created_at: now,
    updated_at: now,
    anonymized_at: null,
  })
  return { id, email }
}

/** A valid order line. */
export function item(overrides: Partial<OrderItemInput> = {}): OrderItemInput {
  return {
    sku: 'TEE-BLUE-M',
    name: 'Blue tee',
    attributes: { size: 'M' },
    quantity: 2,
    unitPrice: 1999,
    ...overrides,
  }
}

/** A valid guest order. */
export function guestOrder(overrides: Partial<OrderInput> = {}): OrderInput {
  return { email: 'guest@example.com', currency: 'USD', items: [item()], ...overrides }
}

/** Row counts of every table an order write touches, plus the counter value. */
export interface OrderTableState {
  orders: number
  lines: number
  events: number
  keys: number
  counters: number
  counterValue: number
}

/** Reads the {@link OrderTableState}. */
export async function orderTableState(db: Knex): Promise<OrderTableState> {
  const count = async (table: string) => Number((await db(table).count({ n: '*' }).first())?.n)
  const counter = await db(T.counters).where({ name: 'order_number' }).first()
  return {
    orders: await count(T.orders),
    lines: await count(T.orderLines),
    events: await count(T.orderEvents),
    keys: await count(T.idempotencyKeys),
    counters: await count(T.counters),
    counterValue: Number(counter?.value),
  }
}

/** The SQL statements `db` runs while `fn` runs (every 'query' event, BEGIN/COMMIT included). */
export async function recordQueries<R>(
  db: Knex,
  fn: () => Promise<R>,
): Promise<{ result: R; sql: string[] }> {
  const sql: string[] = []
  const listener = (query: { sql: string }) => sql.push(query.sql)
  db.on('query', listener)
  try {
    const result = await fn()
    return { result, sql }
  } finally {
    db.off('query', listener)
  }
}

/** The statements strictly between the first BEGIN and the COMMIT after it. */
export function insideTransaction(sql: readonly string[]): string[] {
  const begin = sql.findIndex((s) => /^(begin|start transaction)/i.test(s.trim()))
  const commit = sql.findIndex((s, i) => i > begin && /^commit/i.test(s.trim()))
  if (begin < 0 || commit < 0) throw new Error(`no transaction in: ${sql.join(' | ')}`)
  return sql.slice(begin + 1, commit)
}
