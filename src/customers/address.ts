import { z } from 'zod'
import { isCountryCode } from '../countries.js'
import { optionalText, phoneSchema, text } from '../text.js'

/**
 * A postal address as given at checkout or saved on a customer. Optional fields may be left out or
 * `null`; they read back as `null`.
 */
export interface AddressInput {
  /** The recipient. */
  name: string
  company?: string | null
  line1: string
  line2?: string | null
  city: string
  /** State, county or province. */
  region?: string | null
  postalCode?: string | null
  /** ISO 3166-1 alpha-2 code such as `GB` or `US` (either case; stored upper-case). */
  country: string
  phone?: string | null
}

/**
 * An address as stored in an order's snapshot: every field present, `null` where none was given. After
 * the customer is erased (`customers.anonymize`), only `country`, `region` and the first three characters
 * of `postalCode` remain; `name`, `line1` and `city` are `null` then, and only then.
 */
export interface AddressSnapshot {
  name: string | null
  company: string | null
  line1: string | null
  line2: string | null
  city: string | null
  region: string | null
  postalCode: string | null
  country: string
  phone: string | null
}

/** A customer's saved address, with its defaults. */
export interface CustomerAddressInput extends AddressInput {
  /** Makes this the customer's one default shipping address (the previous default is cleared). */
  isDefaultShipping?: boolean
  /** Makes this the customer's one default billing address (the previous default is cleared). */
  isDefaultBilling?: boolean
}

/** A saved address as read back. */
export interface Address extends AddressSnapshot {
  name: string
  line1: string
  city: string
  id: string
  customerId: string
  isDefaultShipping: boolean
  isDefaultBilling: boolean
  version: number
  createdAt: Date
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
