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
  FindOrCreateResult,
  ListCustomersOptions,
} from './customers/customer.js'
export type { PreviousEmail } from './customers/email-history.js'
export type {
  CustomerExport,
  ExportedOrder,
  ExportedPaymentMethod,
  JsonReady,
} from './customers/export.js'
export type { PaymentMethod, PaymentMethodInput } from './customers/payment-method.js'
export {
  BalanceExceededError,
  CardDataRejectedError,
  CheckoutStoreError,
  type CheckoutStoreErrorBase,
  type CheckoutStoreErrorClass,
  type CheckoutStoreErrorCode,
  ConfigurationError,
  CustomerAnonymizedError,
  CustomerHasOpenOrdersError,
  DatabaseError,
  DuplicateEmailError,
  HTTP_STATUS,
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  isCheckoutStoreError,
  NotFoundError,
  type RecordKind,
  type TransitionEntity,
  type TransitionStatus,
  ValidationError,
  type ValidationIssue,
  VersionConflictError,
} from './errors.js'
export type {
  CreateFulfillmentOptions,
  Fulfillment,
  FulfillmentInput,
  FulfillmentItemInput,
  FulfillmentLine,
  FulfillmentRepository,
  TrackingInput,
} from './fulfillments/fulfillment.js'
export {
  FULFILLMENT_TRANSITIONS,
  type FulfillmentStatus,
  type OrderFulfillmentStatus,
} from './fulfillments/fulfillment-status.js'
export type { Metadata } from './metadata.js'
export type { PruneIdempotencyKeysOptions } from './orders/idempotency.js'
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
  PlacedOrder,
  StoredPaymentSummary,
  TransitionOptions,
} from './orders/order.js'
export {
  canTransition,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  type OrderStatus,
} from './orders/order-status.js'
export type {
  ClaimOptions,
  OutboxAggregateType,
  OutboxEvent,
  OutboxEventType,
  OutboxRepository,
  PruneOptions,
} from './outbox/outbox.js'
export type { Page } from './page.js'
export type {
  AuthorizeInput,
  CaptureInput,
  Payment,
  PaymentOperationOptions,
  PaymentRepository,
  PaymentTransaction,
  PaymentTransactionType,
  RefundInput,
  RefundItemInput,
  RefundLine,
  VoidInput,
} from './payments/payment.js'
export type { OrderPaymentStatus, PaymentStatus } from './payments/payment-status.js'
export type { CheckoutMigration } from './schema/migration-source.js'
export { type CheckoutStoreSchemas, combineSchemas, schemas } from './schemas/schemas.js'
export type {
  SchemaIssue,
  StandardSchemaProps,
  StandardSchemaResult,
  StandardSchemaV1,
} from './schemas/standard-schema.js'
export {
  type CheckoutStore,
  type CheckoutStoreOptions,
  type CheckoutStoreTransaction,
  createCheckoutStore,
} from './store.js'
