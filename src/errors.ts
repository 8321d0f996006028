/**
 * The stable error codes of {@link CheckoutStoreError}. Branch on `error.code`, never on the message:
 * codes are part of the public contract, messages may be reworded.
 */
export type CheckoutStoreErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'DUPLICATE_EMAIL'
  | 'VERSION_CONFLICT'
  | 'INVALID_TRANSITION'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'CARD_DATA_REJECTED'
  | 'CUSTOMER_HAS_OPEN_ORDERS'
  | 'CONFIGURATION_INVALID'
  | 'BALANCE_EXCEEDED'

/**
 * One problem found in an input: where it is (`path`, dotted, such as `items.0.quantity`) and what is
 * wrong with it. Never contains the offending value.
 */
export interface ValidationIssue {
  /** Dotted path to the field inside the input, `''` for the input itself. */
  readonly path: string
  /** What is wrong and what would be accepted. */
  readonly message: string
}

/**
 * The base class of every error checkout-store throws on purpose. Whenever one is thrown, nothing was
 * written to the database.
 *
 * @example
 * ```ts
 * try {
 *   await store.customers.create({ email: 'ada@example.com' })
 * } catch (error) {
 *   if (error instanceof CheckoutStoreError && error.code === 'DUPLICATE_EMAIL') {
 *     // show "that email is taken"
 *   }
 * }
 * ```
 */
export class CheckoutStoreError extends Error {
  /** Always `'CheckoutStoreError'`. */
  override name = 'CheckoutStoreError'
  /** Stable machine-readable code. */
  readonly code: CheckoutStoreErrorCode

  /**
   * @param code - The stable code.
   * @param message - What went wrong and what to do about it.
   * @param options - The underlying `cause`, when there is one.
   */
  constructor(code: CheckoutStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** An input failed validation (`VALIDATION_FAILED`); `issues` lists every problem found. */
export class ValidationError extends CheckoutStoreError {
  /** Always `'ValidationError'`. */
  override name = 'ValidationError'
  /** Every problem found, each with the field's path. */
  readonly issues: readonly ValidationIssue[]

  /** @param issues - The problems found; the message summarises them. */
  constructor(issues: readonly ValidationIssue[]) {
    super('VALIDATION_FAILED', `Invalid input: ${summarise(issues)}`)
    this.issues = issues
  }
}

/** The customer, address, payment method or order does not exist (`NOT_FOUND`). */
export class NotFoundError extends CheckoutStoreError {
  /** Always `'NotFoundError'`. */
  override name = 'NotFoundError'
  /** What kind of record was looked for. */
  readonly entity: 'customer' | 'address' | 'payment method' | 'order' | 'fulfillment'
  /** The id (or order number) that was looked for. */
  readonly id: string

  /**
   * @param entity - What kind of record was looked for.
   * @param id - The id or number looked for.
   */
  constructor(entity: NotFoundError['entity'], id: string | number) {
    super('NOT_FOUND', `No ${entity} with id ${JSON.stringify(String(id))} exists.`)
    this.entity = entity
    this.id = String(id)
  }
}

/** Another customer already uses this email, compared case-insensitively (`DUPLICATE_EMAIL`). */
export class DuplicateEmailError extends CheckoutStoreError {
  /** Always `'DuplicateEmailError'`. */
  override name = 'DuplicateEmailError'

  /** @param cause - The database's unique violation. */
  constructor(cause?: unknown) {
    super(
      'DUPLICATE_EMAIL',
      'A customer with this email already exists; look it up with customers.findByEmail().',
      { cause },
    )
  }
}

/** The record changed since it was read: `expectedVersion` is stale (`VERSION_CONFLICT`). */
export class VersionConflictError extends CheckoutStoreError {
  /** Always `'VersionConflictError'`. */
  override name = 'VersionConflictError'
  /** The record's id. */
  readonly id: string
  /** The version the caller expected. */
  readonly expectedVersion: number
  /** The version found, when the record still exists. */
  readonly actualVersion: number | undefined

  /**
   * @param id - The record's id.
   * @param expectedVersion - The version the caller expected.
   * @param actualVersion - The version found.
   */
  constructor(id: string, expectedVersion: number, actualVersion?: number) {
    super(
      'VERSION_CONFLICT',
      `Record ${id} is at version ${actualVersion ?? 'unknown'}, not ${expectedVersion}: read it again and retry.`,
    )
    this.id = id
    this.expectedVersion = expectedVersion
    this.actualVersion = actualVersion
  }
}

/** The order's (or fulfillment's) status cannot move from `from` to `to` (`INVALID_TRANSITION`). */
export class InvalidTransitionError extends CheckoutStoreError {
  /** Always `'InvalidTransitionError'`. */
  override name = 'InvalidTransitionError'
  /** The order's (or fulfillment's) id. */
  readonly id: string
  /** The current status. */
  readonly from: string
  /** The status that was asked for. */
  readonly to: string

  /**
   * @param id - The order's (or fulfillment's) id.
   * @param from - The current status.
   * @param to - The status asked for.
   * @param what - What `id` names, capitalised for the message.
   */
  constructor(id: string, from: string, to: string, what: 'Order' | 'Fulfillment' = 'Order') {
    super('INVALID_TRANSITION', `${what} ${id} cannot move from ${from} to ${to}.`)
    this.id = id
    this.from = from
    this.to = to
  }
}

/** The idempotency key was already used for a different request (`IDEMPOTENCY_KEY_REUSED`). */
export class IdempotencyKeyReusedError extends CheckoutStoreError {
  /** Always `'IdempotencyKeyReusedError'`. */
  override name = 'IdempotencyKeyReusedError'
  /** The id of the order the key first created, or of the order it is scoped to (`record` given). */
  readonly orderId: string

  /**
   * @param orderId - The order the key belongs to.
   * @param record - For a key scoped to an order, what it created there, such as `'fulfillment'`.
   */
  constructor(orderId: string, record?: string) {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      record === undefined
        ? `This idempotency key already created order ${orderId} from a different input; use a new key for a new order.`
        : `This idempotency key already created a ${record} of order ${orderId} from a different input; use a new key.`,
    )
    this.orderId = orderId
  }
}

/**
 * An input held something that looks like card data: a Luhn-valid card number or a field named like a
 * security code (`CARD_DATA_REJECTED`). The value itself is never repeated, only where it was.
 */
export class CardDataRejectedError extends CheckoutStoreError {
  /** Always `'CardDataRejectedError'`. */
  override name = 'CardDataRejectedError'
  /** Where card data was found; messages never contain the value. */
  readonly issues: readonly ValidationIssue[]

  /** @param issues - Where card data was found. */
  constructor(issues: readonly ValidationIssue[]) {
    super(
      'CARD_DATA_REJECTED',
      `Card data must never be stored; found at ${issues.map((i) => i.path || '(input)').join(', ')}. ` +
        "Pass the payment provider's token instead.",
    )
    this.issues = issues
  }
}

/** The customer still has orders that are pending or paid (`CUSTOMER_HAS_OPEN_ORDERS`). */
export class CustomerHasOpenOrdersError extends CheckoutStoreError {
  /** Always `'CustomerHasOpenOrdersError'`. */
  override name = 'CustomerHasOpenOrdersError'
  /** The customer's id. */
  readonly id: string
  /** The ids of the open orders. */
  readonly orderIds: readonly string[]

  /**
   * @param id - The customer's id.
   * @param orderIds - The open orders.
   */
  constructor(id: string, orderIds: readonly string[]) {
    super(
      'CUSTOMER_HAS_OPEN_ORDERS',
      `Customer ${id} has ${orderIds.length} order(s) not yet shipped; finish or cancel them, or pass { force: true }.`,
    )
    this.id = id
    this.orderIds = orderIds
  }
}

/**
 * The call asks for more than is left (`BALANCE_EXCEEDED`): more units of an order line than are neither
 * in a live fulfillment nor refunded, or more money than is left to capture or refund.
 *
 * @example
 * ```ts
 * try {
 *   await store.fulfillments.create(order.id, { items: [{ lineId, quantity: 5 }] })
 * } catch (error) {
 *   if (error instanceof BalanceExceededError) console.log(`only ${error.available} left`)
 * }
 * ```
 */
export class BalanceExceededError extends CheckoutStoreError {
  /** Always `'BalanceExceededError'`. */
  override name = 'BalanceExceededError'
  /** How much was asked for (minor units, or units of a line). */
  readonly requested: number
  /** How much was left. */
  readonly available: number

  /**
   * @param requested - How much was asked for.
   * @param available - How much was left.
   * @param what - What is counted, for the message.
   */
  constructor(requested: number, available: number, what = 'amount') {
    super(
      'BALANCE_EXCEEDED',
      `The ${what} asked for (${requested}) is more than is available (${available}); read the record again.`,
    )
    this.requested = requested
    this.available = available
  }
}

/** The Knex connection is not usable as configured, for example SQLite without foreign keys (`CONFIGURATION_INVALID`). */
export class ConfigurationError extends CheckoutStoreError {
  /** Always `'ConfigurationError'`. */
  override name = 'ConfigurationError'

  /** @param message - What is misconfigured and how to fix it. */
  constructor(message: string) {
    super('CONFIGURATION_INVALID', message)
  }
}

function summarise(issues: readonly ValidationIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''
  return shown.join('; ') + more
}
