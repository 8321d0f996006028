/*
 * The Standard Schema v1 interface (standardschema.dev), declared here rather than imported: the spec
 * asks libraries to carry its types so that hosts need no extra dependency. Any tool that accepts a
 * Standard Schema (form libraries, tRPC, Hono's and Fastify's validators…) accepts these.
 */

/**
 * A validator in the Standard Schema v1 form: everything is under the `~standard` key.
 *
 * @typeParam Input - What the validator accepts.
 * @typeParam Output - What a successful validation returns.
 * @example
 * ```ts
 * const result = schemas.customerInput['~standard'].validate(body)
 * if (result.issues) console.log(result.issues.map((i) => i.dottedPath))
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly '~standard': StandardSchemaProps<Input, Output>
}

/**
 * The properties of a {@link StandardSchemaV1}.
 *
 * @typeParam Input - What the validator accepts.
 * @typeParam Output - What a successful validation returns.
 * @example
 * ```ts
 * const props = schemas.orderInput['~standard'] // { version: 1, vendor: 'checkout-store', validate }
 * ```
 */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  /** The version of the Standard Schema spec: 1. */
  readonly version: 1
  /** Who made the validator: `'checkout-store'`. */
  readonly vendor: string
  /** Validates `value`; never throws for a bad value, and never returns a promise here. */
  readonly validate: (value: unknown) => StandardSchemaResult<Output>
  /** For type inference only (`undefined` at run time). */
  readonly types?:
    | {
        /** What the validator accepts. */
        readonly input: Input
        /** What a successful validation returns. */
        readonly output: Output
      }
    | undefined
}

/**
 * What {@link StandardSchemaProps.validate} returns: the parsed `value`, or every `issue` found.
 *
 * @typeParam Output - The parsed value's type.
 * @example
 * ```ts
 * const result: StandardSchemaResult<CustomerInput> = schemas.customerInput['~standard'].validate(body)
 * ```
 */
export type StandardSchemaResult<Output> =
  | {
      /** The parsed value: trimmed, codes upper-cased, defaults filled in. */
      readonly value: Output
      /** Absent on success. */
      readonly issues?: undefined
    }
  | {
      /** Every problem found; never empty. */
      readonly issues: readonly SchemaIssue[]
    }

/**
 * One problem a schema found, in the Standard Schema form (`message`, `path` as segments) and the
 * store's (`dottedPath`, as in `ValidationError.issues[].path`), with the `code` the store would throw.
 *
 * @example
 * ```ts
 * const issue: SchemaIssue = {
 *   message: 'must be 1 to 10000',
 *   path: ['items', 0, 'quantity'],
 *   dottedPath: 'items.0.quantity',
 *   code: 'VALIDATION_FAILED',
 * }
 * ```
 */
export interface SchemaIssue {
  /** What is wrong and what would be accepted; never the value. */
  readonly message: string
  /** Where, as segments from the validated value's root: object keys and array indexes. */
  readonly path: ReadonlyArray<string | number>
  /** Where, as the store's dotted path (`items.0.quantity`; `''` for the value itself). */
  readonly dottedPath: string
  /** `CARD_DATA_REJECTED` when card data was found (then no other check ran), else `VALIDATION_FAILED`. */
  readonly code: 'VALIDATION_FAILED' | 'CARD_DATA_REJECTED'
}
