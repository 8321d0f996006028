/**
 * Order and customer repositories for checkout data over a Knex connection the host already has:
 * PostgreSQL, MySQL/MariaDB and SQLite.
 *
 * @packageDocumentation
 */

export type {
  Address,
  AddressInput,
  AddressSnapshot,
  CustomerAddressInput,
} from './customers/address.js'
export type {
  AnonymizeOptions,
  Customer,
  CustomerInput,
  CustomerPatch,
  CustomerRepository,
  ExpectedVersionOptions,
  ListCustomersOptions,
} from './customers/customer.js'
export type { PaymentMethod, PaymentMethodInput } from './customers/payment-method.js'
export {
  CardDataRejectedError,
  CheckoutStoreError,
  type CheckoutStoreErrorCode,
  ConfigurationError,
  CustomerHasOpenOrdersError,
  DuplicateEmailError,
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  NotFoundError,
  ValidationError,
  type ValidationIssue,
  VersionConflictError,
} from './errors.js'
export type { Metadata } from './metadata.js'
export type {
  CreateOrderOptions,
  ListOrdersOptions,
  Order,
  OrderEvent,
  OrderInput,
  OrderItemInput,
  OrderLine,
  OrderRepository,
  PaymentSummary,
  StoredPaymentSummary,
  TransitionOptions,
} from './orders/order.js'
export { ORDER_TRANSITIONS, type OrderStatus } from './orders/order-status.js'
export type {
  ClaimOptions,
  OutboxAggregateType,
  OutboxEvent,
  OutboxEventType,
  OutboxRepository,
  PruneOptions,
} from './outbox/outbox.js'
export type { Page } from './page.js'
export type { CheckoutMigration } from './schema/migration-source.js'
export {
  type CheckoutStore,
  type CheckoutStoreOptions,
  type CheckoutStoreTransaction,
  createCheckoutStore,
} from './store.js'
