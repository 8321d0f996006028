import { z } from 'zod'
import { isCountryCode } from '../countries.js'
import { optionalText, phoneSchema, text } from '../text.js'

/**
 * A postal address as given at checkout or saved on a customer. Optional fields may be left out or
 * `null`; they read back as `null`.
 *
 * @example
 * ```ts
 * const address: AddressInput = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London',
 *   postalCode: 'SW1Y 4JH', country: 'GB' }
 * await store.orders.create({ customerId: ada.id, currency: 'GBP', items, shippingAddress: address })
 * ```
 */
export interface AddressInput {
  /** The recipient, 1 to 200 characters. */
  name: string
  /** Company name, up to 200 characters. */
  company?: string | null | undefined
  /** First address line (street and number), 1 to 200 characters. */
  line1: string
  /** Second address line (flat, floor, building), up to 200 characters. */
  line2?: string | null | undefined
  /** City or town, 1 to 200 characters. */
  city: string
  /** State, county or province, up to 200 characters. */
  region?: string | null | undefined
  /** Postal or ZIP code as typed, up to 32 characters. */
  postalCode?: string | null | undefined
  /** ISO 3166-1 alpha-2 code such as `GB` or `US` (either case; stored upper-case). */
  country: string
  /** Phone number as typed (digits, `+`, spaces, dashes, dots, parentheses), up to 64 characters. */
  phone?: string | null | undefined
}

/**
 * An address as stored in an order's snapshot: every field present, `null` where none was given. After
 * the customer is erased (`customers.anonymize`), only `country`, `region` and the first three characters
 * of `postalCode` remain; `name`, `line1` and `city` are `null` then, and only then.
 *
 * @example
 * ```ts
 * const order = await store.orders.get(id)
 * order.shippingAddress?.city // 'London', as it was when the order was placed
 * ```
 */
export interface AddressSnapshot {
  /** The recipient; `null` only after the customer is erased. */
  name: string | null
  /** Company name, or `null` when none was given or after erasure. */
  company: string | null
  /** First address line; `null` only after the customer is erased. */
  line1: string | null
  /** Second address line, or `null` when none was given or after erasure. */
  line2: string | null
  /** City or town; `null` only after the customer is erased. */
  city: string | null
  /** State, county or province, or `null` when none was given. */
  region: string | null
  /** Postal or ZIP code, or `null` when none was given; erasure keeps only its first three characters. */
  postalCode: string | null
  /** ISO 3166-1 alpha-2 country code, upper-case, such as `GB`. */
  country: string
  /** Phone number as typed, or `null` when none was given or after erasure. */
  phone: string | null
}

/**
 * A customer's saved address, with its defaults.
 *
 * @example
 * ```ts
 * await store.customers.addAddress(ada.id, { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London',
 *   country: 'GB', isDefaultShipping: true })
 * ```
 */
export interface CustomerAddressInput extends AddressInput {
  /** Makes this the customer's one default shipping address (the previous default is cleared). */
  isDefaultShipping?: boolean | undefined
  /** Makes this the customer's one default billing address (the previous default is cleared). */
  isDefaultBilling?: boolean | undefined
}

/**
 * A saved address as read back.
 *
 * @example
 * ```ts
 * const { addresses } = await store.customers.get(ada.id)
 * const shipTo = addresses.find((a) => a.isDefaultShipping)
 * ```
 */
export interface Address extends AddressSnapshot {
  /** The recipient, 1 to 200 characters; never `null` on a saved address. */
  name: string
  /** First address line, 1 to 200 characters; never `null` on a saved address. */
  line1: string
  /** City or town, 1 to 200 characters; never `null` on a saved address. */
  city: string
  /** The address's id, a UUIDv7. */
  id: string
  /** The id of the customer who saved it (UUIDv7). */
  customerId: string
  /** Whether this is the customer's default shipping address (at most one is). */
  isDefaultShipping: boolean
  /** Whether this is the customer's default billing address (at most one is). */
  isDefaultBilling: boolean
  /** Starts at 1, goes up by one with every change; pass it as `expectedVersion`. */
  version: number
  /** When the address was saved. */
  createdAt: Date
  /** When the address last changed. */
  updatedAt: Date
}

/** Length limits on address fields, in characters. */
export const ADDRESS_LIMITS = { text: 200, postalCode: 32 } as const

const country = z
  .string({ message: 'must be an ISO 3166-1 alpha-2 country code' })
  .transform((code) => code.toUpperCase())
  .refine(isCountryCode, 'must be an ISO 3166-1 alpha-2 country code, such as GB or US')

const addressFields = {
  name: text(ADDRESS_LIMITS.text),
  company: optionalText(ADDRESS_LIMITS.text),
  line1: text(ADDRESS_LIMITS.text),
  line2: optionalText(ADDRESS_LIMITS.text),
  city: text(ADDRESS_LIMITS.text),
  region: optionalText(ADDRESS_LIMITS.text),
  postalCode: optionalText(ADDRESS_LIMITS.postalCode),
  country,
  phone: phoneSchema.nullish(),
}

/** An address to snapshot into an order; missing optional fields become `null`. */
export const addressSnapshotSchema = z.strictObject(addressFields).transform(
  (a): AddressSnapshot => ({
    name: a.name,
    company: a.company ?? null,
    line1: a.line1,
    line2: a.line2 ?? null,
    city: a.city,
    region: a.region ?? null,
    postalCode: a.postalCode ?? null,
    country: a.country,
    phone: a.phone ?? null,
  }),
)

/** A new saved address. */
export const customerAddressSchema = z.strictObject({
  ...addressFields,
  isDefaultShipping: z.boolean().optional(),
  isDefaultBilling: z.boolean().optional(),
})

/** A change to a saved address: any subset of its fields. */
export const customerAddressPatchSchema = customerAddressSchema.partial()

/** The parsed form of {@link customerAddressPatchSchema}. */
export type CustomerAddressPatch = z.output<typeof customerAddressPatchSchema>
