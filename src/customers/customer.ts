import { z } from 'zod'
import type { Metadata } from '../metadata.js'
import { metadataSchema } from '../metadata.js'
import { cursorSchema, type Page, pageLimitSchema } from '../page.js'
import { emailSchema, optionalText, phoneSchema, storableString } from '../text.js'
import type { Address, CustomerAddressInput } from './address.js'
import type { CustomerExport } from './export.js'
import type { PaymentMethod, PaymentMethodInput } from './payment-method.js'

/**
 * A shop's customer with their saved addresses and payment methods.
 *
 * @example
 * ```ts
 * const ada: Customer = await store.customers.get(id)
 * ada.addresses.length // saved addresses, oldest first
 * ```
 */
export interface Customer {
  /** The customer's id, a UUIDv7. */
  id: string
  /** The email as given (trimmed); compared case-insensitively. */
  email: string
  /** Full name, or `null` when none was given or the customer was erased. */
  name: string | null
  /** Phone number as typed, or `null` when none was given or the customer was erased. */
  phone: string | null
  /** The shop's own data about the customer; `{}` when there is none. */
  metadata: Metadata
  /** Starts at 1, goes up by one with every change; pass it as `expectedVersion`. */
  version: number
  /** When the customer was created. */
  createdAt: Date
  /** When the customer last changed. */
  updatedAt: Date
  /** When the customer's personal data was erased, else `null`. */
  anonymizedAt: Date | null
  /** Saved addresses, oldest first. */
  addresses: Address[]
  /** Saved payment methods, oldest first. */
  paymentMethods: PaymentMethod[]
}

/**
 * A new customer.
 *
 * @example
 * ```ts
 * const input: CustomerInput = { email: 'ada@example.com', name: 'Ada Lovelace', phone: '+44 20 7946 0958' }
 * await store.customers.create(input)
 * ```
 */
export interface CustomerInput {
  /** A valid email address, up to 320 characters; trimmed, unique regardless of case. */
  email: string
  /** Full name, 1 to 200 characters, kept as given. */
  name?: string | null | undefined
  /** Phone number as typed (digits, `+`, spaces, dashes, dots, parentheses), up to 64 characters. */
  phone?: string | null | undefined
  /** Flat string map: up to 50 keys of 1 to 40 characters, values up to 500; never card data. */
  metadata?: Metadata | null | undefined
}

/**
 * A change to a customer: any subset of its fields; `null` clears an optional one.
 *
 * @example
 * ```ts
 * const patch: CustomerPatch = { phone: null } // clears the phone, keeps the rest
 * await store.customers.update(ada.id, patch)
 * ```
 */
export type CustomerPatch = { [K in keyof CustomerInput]?: CustomerInput[K] | undefined }

/**
 * What {@link CustomerRepository.findOrCreate} returns.
 *
 * @example
 * ```ts
 * const { customer, created }: FindOrCreateResult = await store.customers.findOrCreate({ email })
 * ```
 */
export interface FindOrCreateResult {
  /** The customer with the email: the one found, or the one just created. */
  customer: Customer
  /** `true` when this call created the customer, `false` when it already existed. */
  created: boolean
}

/**
 * Options for {@link CustomerRepository.list}.
 *
 * @example
 * ```ts
 * const page = await store.customers.list({ search: 'ada', limit: 50, cursor: previous.nextCursor })
 * ```
 */
export interface ListCustomersOptions {
  /** 1 to 100. @defaultValue 20 */
  limit?: number | undefined
  /** `nextCursor` from the previous page. */
  cursor?: string | null | undefined
  /** Matches an email prefix or a name substring, ignoring case. */
  search?: string | null | undefined
}

/**
 * Options carrying the version the caller last read.
 *
 * @example
 * ```ts
 * await store.customers.update(ada.id, { name: 'Ada King' }, { expectedVersion: ada.version })
 * ```
 */
export interface ExpectedVersionOptions {
  /** Fail with `VERSION_CONFLICT` unless the record is still at this version. */
  expectedVersion?: number | undefined
}

/**
 * Options for {@link CustomerRepository.anonymize}.
 *
 * @example
 * ```ts
 * await store.customers.anonymize(ada.id, { force: true }) // even with orders still open
 * ```
 */
export interface AnonymizeOptions {
  /** Erase even when the customer has orders that are pending or paid. @defaultValue false */
  force?: boolean | undefined
}

/** Length limits on customer fields, in characters. */
export const CUSTOMER_LIMITS = { name: 200 } as const

/** The schema behind {@link CustomerInput}. */
export const customerInputSchema = z.strictObject({
  email: emailSchema,
  name: optionalText(CUSTOMER_LIMITS.name),
  phone: phoneSchema.nullish(),
  metadata: metadataSchema.nullish(),
})

/** The schema behind {@link CustomerPatch}. */
export const customerPatchSchema = customerInputSchema.partial()

/** The schema behind {@link ListCustomersOptions}. */
export const listCustomersSchema = z.strictObject({
  limit: pageLimitSchema,
  cursor: cursorSchema,
  search: storableString(320).nullish(),
})

/**
 * The customers of a shop. Every method validates its input and throws a `CheckoutStoreError` with a
 * stable code, writing nothing, when it is wrong.
 *
 * @example
 * ```ts
 * const customers: CustomerRepository = store.customers
 * const ada = await customers.findByEmail('ada@example.com')
 * ```
 */
export interface CustomerRepository {
  /**
   * Stores a new customer. The email is trimmed and unique regardless of case.
   *
   * @throws `VALIDATION_FAILED`, `DUPLICATE_EMAIL`, `CARD_DATA_REJECTED`
   * @example
   * ```ts
   * const ada = await store.customers.create({ email: 'Ada@Example.com', name: 'Ada Lovelace' })
   * ada.version // 1
   * ```
   */
  create(input: CustomerInput): Promise<Customer>
  /**
   * The customer with this email (compared case-insensitively), created from `input` when there is none.
   * A customer found is returned as stored: the other fields of `input` do not change it. Race-safe: of
   * any number of concurrent calls with one email, one creates the customer (`created: true`) and every
   * call returns it.
   *
   * @throws `VALIDATION_FAILED`, `CARD_DATA_REJECTED`
   * @example
   * ```ts
   * const { customer, created } = await store.customers.findOrCreate({ email: body.email, name: body.name })
   * if (created) await sendWelcomeEmail(customer.email)
   * ```
   */
  findOrCreate(input: CustomerInput): Promise<FindOrCreateResult>
  /**
   * The customer with their addresses and payment methods.
   *
   * @throws `NOT_FOUND` when there is none
   * @example
   * ```ts
   * const ada = await store.customers.get(id)
   * ```
   */
  get(id: string): Promise<Customer>
  /**
   * Like {@link CustomerRepository.get}, but `null` when there is none.
   *
   * @example
   * ```ts
   * const maybe = await store.customers.find(id)
   * ```
   */
  find(id: string): Promise<Customer | null>
  /**
   * The customer with this email, compared case-insensitively, or `null`.
   *
   * @example
   * ```ts
   * await store.customers.findByEmail('ADA@example.com') // finds Ada@Example.com
   * ```
   */
  findByEmail(email: string): Promise<Customer | null>
  /**
   * Changes some of a customer's fields and bumps `version`.
   *
   * @throws `NOT_FOUND`, `VERSION_CONFLICT` when `expectedVersion` is stale, `DUPLICATE_EMAIL`, `VALIDATION_FAILED`
   * @example
   * ```ts
   * const updated = await store.customers.update(ada.id, { phone: '+44 20 7946 0000' }, { expectedVersion: ada.version })
   * ```
   */
  update(id: string, patch: CustomerPatch, options?: ExpectedVersionOptions): Promise<Customer>
  /**
   * A page of customers, newest first.
   *
   * @example
   * ```ts
   * let page = await store.customers.list({ limit: 50 })
   * while (page.nextCursor) page = await store.customers.list({ limit: 50, cursor: page.nextCursor })
   * ```
   */
  list(options?: ListCustomersOptions): Promise<Page<Customer>>
  /**
   * Saves an address for a customer. Making it a default clears the previous default. An address equal
   * to one the customer has saved (every field the same as stored, the country upper-cased, a field left
   * out the same as `null`; the default flags do not count) is not saved twice: the saved one is
   * returned, made a default when `input` asks so.
   *
   * @throws `NOT_FOUND`, `VALIDATION_FAILED`
   * @example
   * ```ts
   * await store.customers.addAddress(ada.id, { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London',
   *   postalCode: 'SW1Y 4JH', country: 'GB', isDefaultShipping: true })
   * ```
   */
  addAddress(customerId: string, input: CustomerAddressInput): Promise<Address>
  /**
   * Changes a saved address of this customer.
   *
   * @throws `NOT_FOUND` (also when the address belongs to another customer), `VERSION_CONFLICT`, `VALIDATION_FAILED`
   * @example
   * ```ts
   * await store.customers.updateAddress(ada.id, address.id, { line2: 'Flat 3', isDefaultBilling: true })
   * ```
   */
  updateAddress(
    customerId: string,
    addressId: string,
    patch: { [K in keyof CustomerAddressInput]?: CustomerAddressInput[K] | undefined },
    options?: ExpectedVersionOptions,
  ): Promise<Address>
  /**
   * Deletes a saved address of this customer.
   *
   * @throws `NOT_FOUND`
   * @example
   * ```ts
   * await store.customers.removeAddress(ada.id, address.id)
   * ```
   */
  removeAddress(customerId: string, addressId: string): Promise<void>
  /**
   * Saves a payment method by its provider token. Saving the same provider and token again returns the
   * method already saved.
   *
   * @throws `NOT_FOUND`, `VALIDATION_FAILED`, `CARD_DATA_REJECTED`
   * @example
   * ```ts
   * await store.customers.addPaymentMethod(ada.id, { provider: 'stripe', token: 'pm_1Q2w3E', brand: 'visa',
   *   last4: '4242', expMonth: 12, expYear: 2030 })
   * ```
   */
  addPaymentMethod(customerId: string, input: PaymentMethodInput): Promise<PaymentMethod>
  /**
   * Deletes a saved payment method of this customer.
   *
   * @throws `NOT_FOUND`
   * @example
   * ```ts
   * await store.customers.removePaymentMethod(ada.id, method.id)
   * ```
   */
  removePaymentMethod(customerId: string, paymentMethodId: string): Promise<void>
  /**
   * Erases the customer's personal data (GDPR art. 17) and keeps their orders for the books, in one
   * transaction. Calling it again changes nothing.
   *
   * @throws `NOT_FOUND`, `CUSTOMER_HAS_OPEN_ORDERS` unless `force` is set
   * @example
   * ```ts
   * const erased = await store.customers.anonymize(ada.id)
   * erased.anonymizedAt // a Date
   * ```
   */
  anonymize(id: string, options?: AnonymizeOptions): Promise<Customer>
  /**
   * Everything the store holds about the customer (GDPR art. 15 and 20) as one plain, JSON-ready object:
   * the customer, previous emails, addresses, payment methods (without the provider's token), their
   * orders and the guest orders placed under any of their emails, each with lines and events. Dates
   * are ISO 8601 strings. A fixed number of statements, however many orders there are.
   *
   * @throws `NOT_FOUND` when there is no such customer
   * @example
   * ```ts
   * const data = await store.customers.export(ada.id)
   * res.type('application/json').attachment('my-data.json').send(JSON.stringify(data, null, 2))
   * ```
   */
  export(id: string): Promise<CustomerExport>
}
