import fc from 'fast-check'
import { expect } from 'vitest'
import { findCardNumberRuns } from '../../src/card-data/card-numbers.js'
import type { CheckoutStore, OrderInput, OrderStatus } from '../../src/index.js'

/*
 * A model of orders and customers for fast-check's model-based testing (fc.commands): the order state
 * machine as DESIGN.md states it, written out here independently of src/orders/order-status.ts, and the
 * erasure rules. Every command runs against the real store and the model, then compares the two.
 */

const ALLOWED: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled', 'refunded'],
  shipped: ['delivered', 'refunded'],
  delivered: ['refunded'],
  cancelled: [],
  refunded: [],
}
const STATUSES = Object.keys(ALLOWED) as OrderStatus[]
const OPEN: readonly OrderStatus[] = ['pending', 'paid']

interface ModelOrder {
  /** Index of the customer in the model, or null for a guest. */
  readonly customer: number | null
  status: OrderStatus
  version: number
  /** [from, to, note] of every event, oldest first. */
  history: Array<[OrderStatus | null, OrderStatus, string | null]>
}

/** The state the store should be in. */
export interface Model {
  customers: Array<{ anonymized: boolean }>
  orders: ModelOrder[]
}

/** The store and the ids it gave, by model index. */
export interface RealSystem {
  readonly store: CheckoutStore
  readonly customerIds: string[]
  readonly orderIds: string[]
}

/** An empty model, for the start of a run. */
export function snapshotModel(): Model {
  return { customers: [], orders: [] }
}

type Command = fc.AsyncCommand<Model, RealSystem>

/** How many commands ran, by kind, for the test's log. */
export const executed: Record<string, number> = {}

function count(kind: string): void {
  executed[kind] = (executed[kind] ?? 0) + 1
}

let emails = 0

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
}

async function expectOrder(model: Model, real: RealSystem, index: number): Promise<void> {
  const expected = model.orders[index] as ModelOrder
  const id = real.orderIds[index] as string
  const order = await real.store.orders.get(id)
  expect({ status: order.status, version: order.version }).toEqual({
    status: expected.status,
    version: expected.version,
  })
  const events = await real.store.orders.events(id)
  expect(events.map((e) => [e.from, e.to, e.note])).toEqual(expected.history)
}

class CreateCustomer implements Command {
  check = () => true
  async run(model: Model, real: RealSystem): Promise<void> {
    count('createCustomer')
    emails += 1
    const customer = await real.store.customers.create({ email: `model-${emails}@example.com` })
    expect(customer).toMatchObject({ version: 1, anonymizedAt: null })
    real.customerIds.push(customer.id)
    model.customers.push({ anonymized: false })
  }
  toString = () => 'createCustomer()'
}

class CreateOrder implements Command {
  constructor(readonly pick: number | null) {}
  check = () => true
  async run(model: Model, real: RealSystem): Promise<void> {
    count('createOrder')
    const customer =
      this.pick === null || model.customers.length === 0 ? null : this.pick % model.customers.length
    const fields = {
      currency: 'USD',
      items: [{ sku: 'TEE-BLUE-M', name: 'Blue tee', quantity: 1, unitPrice: 1999 }],
    }
    const input: OrderInput =
      customer === null
        ? { ...fields, email: 'model-guest@example.com' }
        : { ...fields, customerId: real.customerIds[customer] as string }
    if (customer !== null && model.customers[customer]?.anonymized) {
      // An erased customer can no longer be ordered for.
      const error = await real.store.orders.create(input).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(codeOf(error)).toBe('CUSTOMER_ANONYMIZED')
      return
    }
    const order = await real.store.orders.create(input)
    expect(order).toMatchObject({ status: 'pending', version: 1 })
    real.orderIds.push(order.id)
    model.orders.push({ customer, status: 'pending', version: 1, history: [[null, 'pending', null]] })
    await expectOrder(model, real, model.orders.length - 1)
  }
  toString = () => `createOrder(${this.pick})`
}

class Transition implements Command {
  constructor(
    readonly pick: number,
    readonly to: OrderStatus,
    readonly version: 'none' | 'current' | 'stale',
    readonly note: string | null,
  ) {}
  check = (model: Readonly<Model>) => model.orders.length > 0
  async run(model: Model, real: RealSystem): Promise<void> {
    count('transition')
    const index = this.pick % model.orders.length
    const order = model.orders[index] as ModelOrder
    const expectedVersion =
      this.version === 'none' ? undefined : this.version === 'current' ? order.version : order.version + 1
    const outcome = await real.store.orders
      .transition(real.orderIds[index] as string, this.to, {
        note: this.note,
        ...(expectedVersion === undefined ? {} : { expectedVersion }),
      })
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      )
    const allowed = ALLOWED[order.status].includes(this.to)
    const stale = this.version === 'stale'
    if (allowed && !stale) {
      if (!('value' in outcome)) throw outcome.error
      order.history.push([order.status, this.to, this.note])
      order.status = this.to
      order.version += 1
      expect(outcome.value).toMatchObject({ status: order.status, version: order.version })
    } else {
      expect('error' in outcome).toBe(true)
      // A stale version on a move the rules forbid may be reported either way.
      const codes =
        !allowed && stale
          ? ['INVALID_TRANSITION', 'VERSION_CONFLICT']
          : [allowed ? 'VERSION_CONFLICT' : 'INVALID_TRANSITION']
      expect(codes).toContain(codeOf('error' in outcome ? outcome.error : undefined))
    }
    await expectOrder(model, real, index)
  }
  toString = () => `transition(${this.pick}, ${this.to}, ${this.version}, ${JSON.stringify(this.note)})`
}

class Anonymize implements Command {
  constructor(
    readonly pick: number,
    readonly force: boolean,
  ) {}
  check = (model: Readonly<Model>) => model.customers.length > 0
  async run(model: Model, real: RealSystem): Promise<void> {
    count('anonymize')
    const index = this.pick % model.customers.length
    const customer = model.customers[index] as { anonymized: boolean }
    const id = real.customerIds[index] as string
    const theirs = model.orders.flatMap((o, i) => (o.customer === index ? [i] : []))
    const open = theirs.some((i) => OPEN.includes((model.orders[i] as ModelOrder).status))
    const outcome = await real.store.customers.anonymize(id, this.force ? { force: true } : {}).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    )
    if (!customer.anonymized && open && !this.force) {
      expect(codeOf('error' in outcome ? outcome.error : undefined)).toBe('CUSTOMER_HAS_OPEN_ORDERS')
      expect((await real.store.customers.get(id)).anonymizedAt).toBeNull()
    } else {
      if (!('value' in outcome)) throw outcome.error
      expect(outcome.value).toMatchObject({ name: null, phone: null, addresses: [], paymentMethods: [] })
      expect(outcome.value.anonymizedAt).toBeInstanceOf(Date)
      if (!customer.anonymized) {
        customer.anonymized = true
        // Erasure keeps every order's status and history, without the notes; the order row changed, so
        // its version goes up by one.
        for (const i of theirs) {
          const order = model.orders[i] as ModelOrder
          order.history = order.history.map(([from, to]) => [from, to, null])
          order.version += 1
        }
      }
    }
    for (const i of theirs) await expectOrder(model, real, i)
  }
  toString = () => `anonymize(${this.pick}, force: ${this.force})`
}

/** Sequences of up to 25 commands; transitions come twice as often as the others. */
export const modelCommands = fc.commands(
  [
    fc.constant(new CreateCustomer()),
    fc.option(fc.nat(), { nil: null }).map((pick) => new CreateOrder(pick)),
    ...[0, 1].map(() =>
      fc
        .tuple(
          fc.nat(),
          fc.constantFrom(...STATUSES),
          fc.constantFrom('none' as const, 'current' as const, 'stale' as const),
          fc.option(
            fc
              .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
              .filter((note) => findCardNumberRuns(note).length === 0),
            { nil: null },
          ),
        )
        .map(([pick, to, version, note]) => new Transition(pick, to, version, note)),
    ),
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, force]) => new Anonymize(pick, force)),
  ],
  { maxCommands: 25, size: 'max' },
)
