import type { z } from 'zod'
import type { Metadata } from '../metadata.js'
import { type DbDate, fromDbDate, fromDbDateOrNull, fromDbInt, fromDbJson } from '../sql/values.js'
import { normalizeEmail } from '../text.js'
import type { Address, CustomerAddressPatch, customerAddressSchema } from './address.js'
import type { Customer, customerInputSchema } from './customer.js'
import { isExpired, type PaymentMethod, type paymentMethodSchema } from './payment-method.js'

/*
 * The customer tables as the drivers hand them over, and the one mapping to the domain types. Column
 * types that differ per driver are spelled out: timestamps come back as `Date` (pg, mysql2) or integer
 * milliseconds (better-sqlite3), integers as numbers or, for pg BIGINT, strings.
 */

/** A timestamp as written (`toDbDate`) or as a driver returns it. */
export type DbTimestamp = Date | number | string

/** An integer as written or as a driver returns it (pg gives BIGINT as a string). */
export type DbInteger = number | string

/** A row of the `customers` table. */
export interface CustomerRow {
  id: string
  /** As given, trimmed. */
  email: string
  /** Lower-cased email: the unique lookup key. */
  email_normalized: string
  name: string | null
  phone: string | null
  /** {@link Metadata} as JSON text; NULL when there is none. */
  metadata: string | null
  version: DbInteger
  created_at: DbTimestamp
  updated_at: DbTimestamp
  /** Set once the personal data was erased. */
  anonymized_at: DbTimestamp | null
  /** The sequence number of the customer's last outbox event (1 once created). */
  outbox_sequence: DbInteger
}

/** A row of the `addresses` table. */
export interface AddressRow {
  id: string
  customer_id: string
  name: string
  company: string | null
  line1: string
  line2: string | null
  city: string
  region: string | null
  postal_code: string | null
  /** ISO 3166-1 alpha-2, upper-case. */
  country: string
  phone: string | null
  /** The customer's id while this is their default shipping address, else NULL (unique). */
  default_shipping_for: string | null
  /** The customer's id while this is their default billing address, else NULL (unique). */
  default_billing_for: string | null
  version: DbInteger
  created_at: DbTimestamp
  updated_at: DbTimestamp
}

/** A row of the `payment_methods` table: only what PCI DSS allows to keep. */
export interface PaymentMethodRow {
  id: string
  customer_id: string
  provider: string
  /** The provider's token, never a card number. */
  token: string
  brand: string
  last4: string
  exp_month: DbInteger
  exp_year: DbInteger
  fingerprint: string | null
  /** The customer's id while this is their default method, else NULL (unique). */
  default_for: string | null
  version: DbInteger
  created_at: DbTimestamp
  updated_at: DbTimestamp
}

/** Reads the `metadata` JSON column; `{}` when NULL. */
export function toMetadata(value: unknown): Metadata {
  // JSON.parse defines keys as own data properties, so a `__proto__` key stays an ordinary key.
  return fromDbJson<Metadata>(value) ?? {}
}

/** Writes {@link Metadata} to its JSON column; an absent or empty map is stored as NULL. */
export function toMetadataColumn(metadata: Metadata | null | undefined): string | null {
  return metadata && Object.keys(metadata).length > 0 ? JSON.stringify(metadata) : null
}

/** Builds the row of a new customer from its parsed input. */
export function toCustomerRow(
  id: string,
  input: z.output<typeof customerInputSchema>,
  now: DbDate,
): CustomerRow {
  return {
    id,
    email: input.email,
    email_normalized: normalizeEmail(input.email),
    name: input.name ?? null,
    phone: input.phone ?? null,
    metadata: toMetadataColumn(input.metadata),
    version: 1,
    created_at: now,
    updated_at: now,
    anonymized_at: null,
    outbox_sequence: 1, // its customer.created event
  }
}

/** Maps a customer row and its children to a {@link Customer}. */
export function toCustomer(
  row: CustomerRow,
  addresses: Address[],
  paymentMethods: PaymentMethod[],
): Customer {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    phone: row.phone,
    metadata: toMetadata(row.metadata),
    version: fromDbInt(row.version),
    createdAt: fromDbDate(row.created_at),
    updatedAt: fromDbDate(row.updated_at),
    anonymizedAt: fromDbDateOrNull(row.anonymized_at),
    addresses,
    paymentMethods,
  }
}

/** Maps an address row to an {@link Address}. */
export function toAddress(row: AddressRow): Address {
  return {
    id: row.id,
    customerId: row.customer_id,
    name: row.name,
    company: row.company,
    line1: row.line1,
    line2: row.line2,
    city: row.city,
    region: row.region,
    postalCode: row.postal_code,
    country: row.country,
    phone: row.phone,
    isDefaultShipping: row.default_shipping_for !== null,
    isDefaultBilling: row.default_billing_for !== null,
    version: fromDbInt(row.version),
    createdAt: fromDbDate(row.created_at),
    updatedAt: fromDbDate(row.updated_at),
  }
}

/** Maps a payment method row to a {@link PaymentMethod}; `expired` is computed at `now`. */
export function toPaymentMethod(row: PaymentMethodRow, now: Date = new Date()): PaymentMethod {
  const expMonth = fromDbInt(row.exp_month)
  const expYear = fromDbInt(row.exp_year)
  return {
    id: row.id,
    customerId: row.customer_id,
    provider: row.provider,
    token: row.token,
    brand: row.brand,
    last4: row.last4,
    expMonth,
    expYear,
    fingerprint: row.fingerprint,
    isDefault: row.default_for !== null,
    expired: isExpired(expMonth, expYear, now),
    version: fromDbInt(row.version),
    createdAt: fromDbDate(row.created_at),
    updatedAt: fromDbDate(row.updated_at),
  }
}

/** Builds the row of a new saved address from its parsed input; defaults point at `customerId`. */
export function toAddressRow(
  id: string,
  customerId: string,
  input: z.output<typeof customerAddressSchema>,
  now: DbDate,
): AddressRow {
  return {
    id,
    customer_id: customerId,
    name: input.name,
    company: input.company ?? null,
    line1: input.line1,
    line2: input.line2 ?? null,
    city: input.city,
    region: input.region ?? null,
    postal_code: input.postalCode ?? null,
    country: input.country,
    phone: input.phone ?? null,
    default_shipping_for: input.isDefaultShipping ? customerId : null,
    default_billing_for: input.isDefaultBilling ? customerId : null,
    version: 1,
    created_at: now,
    updated_at: now,
  }
}

const ADDRESS_COLUMNS = {
  name: 'name',
  company: 'company',
  line1: 'line1',
  line2: 'line2',
  city: 'city',
  region: 'region',
  postalCode: 'postal_code',
  country: 'country',
  phone: 'phone',
} as const satisfies Partial<Record<keyof CustomerAddressPatch, keyof AddressRow>>

/** The columns an address patch changes: fields given (`null` clears), defaults set to `customerId` or NULL. */
export function toAddressChanges(patch: CustomerAddressPatch, customerId: string): Partial<AddressRow> {
  const changes: Partial<AddressRow> = {}
  for (const [key, column] of Object.entries(ADDRESS_COLUMNS) as Array<
    [keyof typeof ADDRESS_COLUMNS, string]
  >) {
    const value = patch[key]
    if (value !== undefined) Object.assign(changes, { [column]: value })
  }
  if (patch.isDefaultShipping !== undefined)
    changes.default_shipping_for = patch.isDefaultShipping ? customerId : null
  if (patch.isDefaultBilling !== undefined)
    changes.default_billing_for = patch.isDefaultBilling ? customerId : null
  return changes
}

/** Builds the row of a new payment method from its parsed input, not yet anyone's default. */
export function toPaymentMethodRow(
  id: string,
  customerId: string,
  input: z.output<typeof paymentMethodSchema>,
  now: DbDate,
): PaymentMethodRow {
  return {
    id,
    customer_id: customerId,
    provider: input.provider,
    token: input.token,
    brand: input.brand,
    last4: input.last4,
    exp_month: input.expMonth,
    exp_year: input.expYear,
    fingerprint: input.fingerprint ?? null,
    default_for: null,
    version: 1,
    created_at: now,
    updated_at: now,
  }
}
