import type { FulfillmentStatus, OrderFulfillmentStatus } from './fulfillments/fulfillment-status.js'
import type { OrderStatus } from './orders/order-status.js'
import type { PaymentStatus } from './payments/payment-status.js'

/**
 * The stable error codes of {@link CheckoutStoreError}. Branch on `error.code`, never on the message:
 * codes are part of the public contract, messages may be reworded.
 *
 * @example
 * ```ts
 * const retryable = (code: CheckoutStoreErrorCode) => code === 'VERSION_CONFLICT'
 * ```
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
  | 'BALANCE_EXCEEDED'
  | 'CUSTOMER_ANONYMIZED'
  | 'CONFIGURATION_INVALID'
  | 'DATABASE_ERROR'

/**
 * The HTTP status that answers each {@link CheckoutStoreErrorCode}: 400 for input the caller must fix,
 * 404 for a missing record, 409 for a conflict with the stored state, 422 for a reused idempotency key,
 * 500 for a misconfigured store and 503 for a database that failed.
 *
 * @example
 * ```ts
 * HTTP_STATUS.VERSION_CONFLICT // 409
 * ```
 */
export const HTTP_STATUS: Readonly<Record<CheckoutStoreErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  CARD_DATA_REJECTED: 400,
  NOT_FOUND: 404,
  DUPLICATE_EMAIL: 409,
  VERSION_CONFLICT: 409,
  INVALID_TRANSITION: 409,
  CUSTOMER_HAS_OPEN_ORDERS: 409,
  CUSTOMER_ANONYMIZED: 409,
  BALANCE_EXCEEDED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  CONFIGURATION_INVALID: 500,
  DATABASE_ERROR: 503,
}

/**
 * One problem found in an input: where it is (`path`, dotted, such as `items.0.quantity`) and what is
 * wrong with it. Never contains the offending value.
 *
 * @example
 * ```ts
 * const issue: ValidationIssue = { path: 'items.0.quantity', message: 'must be 1 to 10000' }
 * ```
 */
export interface ValidationIssue {
  /** Dotted path to the field inside the input, `''` for the input itself. */
  readonly path: string
  /** What is wrong and what would be accepted. */
  readonly message: string
}

/**
 * The kinds of record the store keeps, as errors name them.
 *
 * @example
 * ```ts
 * if (error.code === 'NOT_FOUND' && error.entity === 'order') res.status(404).send('No such order')
 * ```
 */
export type RecordKind = 'customer' | 'address' | 'payment method' | 'order' | 'payment' | 'fulfillment'

/**
 * What an {@link InvalidTransitionError} is about.
 *
 * @example
 * ```ts
 * if (error.code === 'INVALID_TRANSITION' && error.entity === 'payment') // a voided payment, say
 * ```
 */
export type TransitionEntity = 'order' | 'payment' | 'fulfillment'

const ENTITY_NAMES: Readonly<Record<TransitionEntity, string>> = {
  order: 'Order',
  payment: 'Payment',
  fulfillment: 'Fulfillment',
}

/**
 * A status as {@link InvalidTransitionError} names it: an order's, a payment's or a fulfillment's, or
 * `fulfilled` for an order's goods.
 *
 * @example
 * ```ts
 * const describe = (from: TransitionStatus, to: TransitionStatus) => `${from} → ${to}`
 * ```
 */
export type TransitionStatus = OrderStatus | PaymentStatus | FulfillmentStatus | OrderFulfillmentStatus

// A registered symbol: the ESM and the CommonJS build each have their own classes, but Symbol.for gives
// both the same key, so an error from either build is recognised by either.
const BRAND: unique symbol = Symbol.for('checkout-store.error') as never

/**
 * What every error of the library has, whatever its code; each subclass adds its context. As a class it
 * is reached as `CheckoutStoreError`, the name to use both for the union and for `instanceof`.
 *
 * @example
 * ```ts
 * const summary = (error: CheckoutStoreErrorBase) => `${error.httpStatus} ${error.code}: ${error.message}`
 * ```
 */
export interface CheckoutStoreErrorBase extends Error {
  /** Stable machine-readable code; narrows a {@link CheckoutStoreError} to its subclass. */
  readonly code: CheckoutStoreErrorCode
  /** The HTTP status that answers this error, from {@link HTTP_STATUS}. */
  readonly httpStatus: number
}

abstract class StoreErrorBase extends Error implements CheckoutStoreErrorBase {
  /** Stable machine-readable code; narrows the error to its subclass. */
  readonly code: CheckoutStoreErrorCode
  /** The HTTP status that answers this error, from {@link HTTP_STATUS}. */
  readonly httpStatus: number
  /** The brand {@link isCheckoutStoreError} looks for. */
  declare readonly [BRAND]: true

  constructor(code: CheckoutStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CheckoutStoreError'
    this.code = code
    this.httpStatus = HTTP_STATUS[code]
  }
}
Object.defineProperty(StoreErrorBase.prototype, BRAND, { value: true })
// `instanceof CheckoutStoreError` recognises the errors of the other build too, by the brand;
// `instanceof` on a subclass keeps its ordinary meaning.
Object.defineProperty(StoreErrorBase, Symbol.hasInstance, {
  value: function hasInstance(this: unknown, value: unknown): boolean {
    if (this === StoreErrorBase) return isCheckoutStoreError(value)
    return Function.prototype[Symbol.hasInstance].call(this, value)
  },
})

/**
 * The type of the `CheckoutStoreError` value: a base to extend and to test with `instanceof` (which
 * narrows to the union of the coded errors), never to construct on its own.
 *
 * @example
 * ```ts
 * const isStoreError = (value: unknown, base: CheckoutStoreErrorClass) => value instanceof base
 * ```
 */
export type CheckoutStoreErrorClass = (abstract new (
  code: CheckoutStoreErrorCode,
  message: string,
  options?: { cause?: unknown },
) => CheckoutStoreErrorBase) & {
  /** What `instanceof CheckoutStoreError` narrows to: the union of the coded errors. */
  readonly prototype: CheckoutStoreError
}

/**
 * Every error checkout-store throws on purpose. Whenever one is thrown, nothing was written to the
 * database. As a type it is the union of the coded errors, so checking `code` narrows it to the subclass
 * with that code's fields; as a value it is their base class, for `instanceof` (which recognises the
 * errors of the ESM and the CommonJS build alike). {@link isCheckoutStoreError} does the same as a
 * function.
 *
 * @example
 * ```ts
 * try {
 *   await store.customers.create({ email: 'ada@example.com' })
 * } catch (error) {
 *   if (error instanceof CheckoutStoreError) {
 *     if (error.code === 'DUPLICATE_EMAIL') console.log(error.customerId) // the customer who has it
 *     if (error.code === 'VALIDATION_FAILED') console.log(error.issues)
 *     res.status(error.httpStatus).json({ code: error.code, message: error.message })
 *   }
 * }
 * ```
 */
export const CheckoutStoreError: CheckoutStoreErrorClass =
  StoreErrorBase as unknown as CheckoutStoreErrorClass

/**
 * The union of every coded error. A new error class joins the contract by being listed here (and its
 * code in {@link CheckoutStoreErrorCode} and {@link HTTP_STATUS}).
 *
 * @example
 * ```ts
 * function toResponse(error: CheckoutStoreError) {
 *   return error.code === 'VALIDATION_FAILED' ? { status: 400, issues: error.issues } : { status: error.httpStatus }
 * }
 * ```
 */
export type CheckoutStoreError =
  | ValidationError
  | NotFoundError
  | DuplicateEmailError
  | VersionConflictError
  | InvalidTransitionError
  | IdempotencyKeyReusedError
  | CardDataRejectedError
  | CustomerHasOpenOrdersError
  | CustomerAnonymizedError
  | ConfigurationError
  | DatabaseError
  | BalanceExceededError

/**
 * True when `value` is an error checkout-store threw on purpose, from either build (ESM or CommonJS, even
 * both loaded in one process): it looks for the library's brand, not at the class. Narrows `value` to
 * {@link CheckoutStoreError}, so `code` narrows it further.
 *
 * @param value - Anything caught.
 * @example
 * ```ts
 * app.use((error, req, res, next) => {
 *   if (!isCheckoutStoreError(error)) return next(error)
 *   res.status(error.httpStatus).json({
 *     code: error.code,
 *     message: error.message,
 *     issues: error.code === 'VALIDATION_FAILED' ? error.issues : undefined,
 *   })
 * })
 * ```
 */
export function isCheckoutStoreError(value: unknown): value is CheckoutStoreError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    typeof (value as { code?: unknown }).code === 'string'
  )
}

/**
 * An input failed validation (`VALIDATION_FAILED`, HTTP 400); `issues` lists every problem found.
 *
 * @example
 * ```ts
 * const error = await store.orders.create({ currency: 'USD', items: [] }).catch((e) => e)
 * if (error instanceof ValidationError) error.issues // [{ path: 'email', … }, { path: 'items', … }]
 * ```
 */
export class ValidationError extends CheckoutStoreError {
  declare readonly code: 'VALIDATION_FAILED'
  /** Every problem found, each with the field's path. */
  readonly issues: readonly ValidationIssue[]

  /** @param issues - The problems found; the message summarises them. */
  constructor(issues: readonly ValidationIssue[]) {
    super('VALIDATION_FAILED', `Invalid input: ${summarise(issues)}`)
    this.name = 'ValidationError'
    this.issues = issues
  }
}

/**
 * The customer, address, payment method or order does not exist (`NOT_FOUND`, HTTP 404).
 *
 * @example
 * ```ts
 * const error = await store.orders.get('0190c2a4-0000-7000-8000-000000000000').catch((e) => e)
 * if (error instanceof NotFoundError) error.entity // 'order'
 * ```
 */
export class NotFoundError extends CheckoutStoreError {
  declare readonly code: 'NOT_FOUND'
  /** What kind of record was looked for. */
  readonly entity: RecordKind
  /** The id (or order number) that was looked for. */
  readonly id: string

  /**
   * @param entity - What kind of record was looked for.
   * @param id - The id or number looked for.
   */
  constructor(entity: RecordKind, id: string | number) {
    super('NOT_FOUND', `No ${entity} with id ${JSON.stringify(String(id))} exists.`)
    this.name = 'NotFoundError'
    this.entity = entity
    this.id = String(id)
  }
}

/**
 * Another customer already uses this email, compared case-insensitively (`DUPLICATE_EMAIL`, HTTP 409).
 * `customerId` names that customer, so a sign-up can offer to log in instead.
 *
 * @example
 * ```ts
 * const error = await store.customers.create({ email: 'ADA@example.com' }).catch((e) => e)
 * if (error instanceof DuplicateEmailError) await store.customers.get(error.customerId)
 * ```
 */
export class DuplicateEmailError extends CheckoutStoreError {
  declare readonly code: 'DUPLICATE_EMAIL'
  /** The id of the customer who has the email. */
  readonly customerId: string

  /**
   * @param customerId - The customer who has the email.
   * @param cause - The database's unique violation.
   */
  constructor(customerId: string, cause?: unknown) {
    super(
      'DUPLICATE_EMAIL',
      `Customer ${customerId} already has this email; use customers.findOrCreate() to reuse it.`,
      { cause },
    )
    this.name = 'DuplicateEmailError'
    this.customerId = customerId
  }
}

/**
 * The record changed since it was read: `expectedVersion` is stale (`VERSION_CONFLICT`, HTTP 409).
 *
 * @example
 * ```ts
 * const error = await store.customers.update(ada.id, { name: 'Ada King' }, { expectedVersion: 1 }).catch((e) => e)
 * if (error instanceof VersionConflictError) error.actualVersion // read the customer again, then retry
 * ```
 */
export class VersionConflictError extends CheckoutStoreError {
  declare readonly code: 'VERSION_CONFLICT'
  /** What kind of record it is. */
  readonly entity: RecordKind
  /** The record's id. */
  readonly id: string
  /** The version the caller expected. */
  readonly expectedVersion: number
  /** The version found, when the record still exists. */
  readonly actualVersion: number | undefined

  /**
   * @param entity - What kind of record it is.
   * @param id - The record's id.
   * @param expectedVersion - The version the caller expected.
   * @param actualVersion - The version found.
   */
  constructor(entity: RecordKind, id: string, expectedVersion: number, actualVersion?: number) {
    super(
      'VERSION_CONFLICT',
      `The ${entity} ${id} is at version ${actualVersion ?? 'unknown'}, not ${expectedVersion}: read it again and retry.`,
    )
    this.name = 'VersionConflictError'
    this.entity = entity
    this.id = id
    this.expectedVersion = expectedVersion
    this.actualVersion = actualVersion
  }
}

/**
 * A status change, or an operation, that the record's state does not allow (`INVALID_TRANSITION`, HTTP
 * 409): an order moving outside its status table, a capture or void of a voided payment, a payment on a
 * cancelled order, a parcel of an order not yet paid, a fulfillment moving backwards. `entity` says what
 * `id` names; `from` is its status, `to` the status the change or operation needed.
 *
 * @example
 * ```ts
 * const error = await store.orders.transition(order.id, 'delivered').catch((e) => e)
 * if (error instanceof InvalidTransitionError) console.log(`${error.entity} ${error.from} → ${error.to} is not allowed`)
 * ```
 */
export class InvalidTransitionError extends CheckoutStoreError {
  declare readonly code: 'INVALID_TRANSITION'
  /** The id of the order, payment or fulfillment. */
  readonly id: string
  /** What `id` names. */
  readonly entity: TransitionEntity
  /** Its current status. */
  readonly from: TransitionStatus
  /** The status that was asked for, or that the refused operation would lead to. */
  readonly to: TransitionStatus

  /**
   * @param id - The order's, payment's or fulfillment's id.
   * @param from - The current status.
   * @param to - The status asked for.
   * @param entity - What `id` names. @defaultValue `'order'`
   */
  constructor(id: string, from: TransitionStatus, to: TransitionStatus, entity: TransitionEntity = 'order') {
    super('INVALID_TRANSITION', `${ENTITY_NAMES[entity]} ${id} cannot move from ${from} to ${to}.`)
    this.name = 'InvalidTransitionError'
    this.id = id
    this.from = from
    this.to = to
    this.entity = entity
  }
}

/**
 * The idempotency key was already used for a different request (`IDEMPOTENCY_KEY_REUSED`, HTTP 422). It
 * does not say which order the key made: the caller with a different request may not be its owner.
 *
 * @example
 * ```ts
 * const error = await store.orders.create(changedCart, { idempotencyKey: key }).catch((e) => e)
 * if (error instanceof IdempotencyKeyReusedError) // the client sent a new cart under an old key
 * ```
 */
export class IdempotencyKeyReusedError extends CheckoutStoreError {
  declare readonly code: 'IDEMPOTENCY_KEY_REUSED'

  constructor() {
    super(
      'IDEMPOTENCY_KEY_REUSED',
      'This idempotency key was already used for a different request; use a new key for a new request.',
    )
    this.name = 'IdempotencyKeyReusedError'
  }
}

/**
 * An input held something that looks like card data: a Luhn-valid card number or a field named like a
 * security code (`CARD_DATA_REJECTED`, HTTP 400). The value itself is never repeated, only where it was.
 *
 * @example
 * ```ts
 * const error = await store.customers.create({ email, name: '4242 4242 4242 4242' }).catch((e) => e)
 * if (error instanceof CardDataRejectedError) error.issues // [{ path: 'name', message: … }]
 * ```
 */
export class CardDataRejectedError extends CheckoutStoreError {
  declare readonly code: 'CARD_DATA_REJECTED'
  /** Where card data was found; messages never contain the value. */
  readonly issues: readonly ValidationIssue[]

  /** @param issues - Where card data was found. */
  constructor(issues: readonly ValidationIssue[]) {
    super(
      'CARD_DATA_REJECTED',
      `Card data must never be stored; found at ${issues.map((i) => i.path || '(input)').join(', ')}. ` +
        "Pass the payment provider's token instead.",
    )
    this.name = 'CardDataRejectedError'
    this.issues = issues
  }
}

/**
 * The customer still has orders that are pending or paid (`CUSTOMER_HAS_OPEN_ORDERS`, HTTP 409).
 *
 * @example
 * ```ts
 * const error = await store.customers.anonymize(ada.id).catch((e) => e)
 * if (error instanceof CustomerHasOpenOrdersError) error.orderIds // finish or cancel these first
 * ```
 */
export class CustomerHasOpenOrdersError extends CheckoutStoreError {
  declare readonly code: 'CUSTOMER_HAS_OPEN_ORDERS'
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
    this.name = 'CustomerHasOpenOrdersError'
    this.id = id
    this.orderIds = orderIds
  }
}

/**
 * The customer's personal data was erased (`CUSTOMER_ANONYMIZED`): an order can no longer be placed for
 * them. Only the record kept for the books remains; a returning shopper signs up again.
 *
 * @example
 * ```ts
 * try {
 *   await store.orders.create({ customerId, currency: 'EUR', items })
 * } catch (error) {
 *   if (error instanceof CheckoutStoreError && error.code === 'CUSTOMER_ANONYMIZED') {
 *     // ask the shopper to check out as a guest or sign up again
 *   }
 * }
 * ```
 */
export class CustomerAnonymizedError extends CheckoutStoreError {
  declare readonly code: 'CUSTOMER_ANONYMIZED'
  /** The erased customer's id. */
  readonly id: string

  /** @param id - The erased customer's id. */
  constructor(id: string) {
    super(
      'CUSTOMER_ANONYMIZED',
      `Customer ${id} was anonymized: place the order as a guest or for a new customer.`,
    )
    this.name = 'CustomerAnonymizedError'
    this.id = id
  }
}

/**
 * The Knex connection is not usable as configured, for example SQLite without foreign keys
 * (`CONFIGURATION_INVALID`, HTTP 500).
 *
 * @example
 * ```ts
 * const error = await store.customers.create({ email }).catch((e) => e)
 * if (error instanceof ConfigurationError) console.error(error.message) // says what to change
 * ```
 */
export class ConfigurationError extends CheckoutStoreError {
  declare readonly code: 'CONFIGURATION_INVALID'

  /** @param message - What is misconfigured and how to fix it. */
  constructor(message: string) {
    super('CONFIGURATION_INVALID', message)
    this.name = 'ConfigurationError'
  }
}

/**
 * The database failed in a way the store does not translate into one of its own codes (`DATABASE_ERROR`):
 * unreachable, out of resources, missing privileges, a pool with no free connection. The message names
 * the driver's code (PostgreSQL SQLSTATE, MySQL/MariaDB errno, SQLite result code) and what to check; it
 * never holds the SQL or its values. `cause` is a copy of the driver's error that keeps only its codes,
 * because the original's message and fields (Knex puts the SQL with its values into the message; pg's
 * `detail` repeats the offending key) hold the caller's data.
 *
 * @example
 * ```ts
 * try {
 *   await store.orders.get(id)
 * } catch (error) {
 *   if (error instanceof DatabaseError) logger.error({ driverCode: error.driverCode }, error.message)
 * }
 * ```
 */
export class DatabaseError extends CheckoutStoreError {
  declare readonly code: 'DATABASE_ERROR'
  /** The driver's code: a SQLSTATE such as `53300`, an errno such as `1205`, `SQLITE_FULL`, `ECONNREFUSED`. */
  readonly driverCode: string

  /**
   * @param driverCode - The driver's code.
   * @param message - What failed and what to check, without SQL or values.
   * @param options - The driver's error, reduced to its codes.
   */
  constructor(driverCode: string, message: string, options?: { cause?: unknown }) {
    super('DATABASE_ERROR', message, options)
    this.name = 'DatabaseError'
    this.driverCode = driverCode
  }
}

/**
 * An amount past what is left (`BALANCE_EXCEEDED`, HTTP 409): a capture past the authorization's uncaptured rest, a
 * refund past what was captured and not yet refunded, or a refund of more units of a line than are left.
 * For a line, `requested` and `available` count units; otherwise minor units.
 *
 * @example
 * ```ts
 * try {
 *   await store.payments.capture(payment.id, { amount: 1000 })
 * } catch (error) {
 *   if (error instanceof BalanceExceededError) console.log(error.requested, error.available)
 * }
 * ```
 */
export class BalanceExceededError extends CheckoutStoreError {
  declare readonly code: 'BALANCE_EXCEEDED'
  /** The amount (or units) asked for. */
  readonly requested: number
  /** The amount (or units) left. */
  readonly available: number

  /**
   * @param requested - The amount or units asked for.
   * @param available - The amount or units left.
   * @param what - What ran out, for the message. @defaultValue `'amount'`
   */
  constructor(requested: number, available: number, what: 'amount' | 'units' = 'amount') {
    super(
      'BALANCE_EXCEEDED',
      `Asked for ${requested} ${what === 'amount' ? 'minor units' : 'units of a line'}, but only ${available} are left.`,
    )
    this.name = 'BalanceExceededError'
    this.requested = requested
    this.available = available
  }
}

function summarise(issues: readonly ValidationIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''
  return shown.join('; ') + more
}
