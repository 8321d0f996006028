import type { z } from 'zod'
import { assertNoCardData } from './card-data.js'
import { ValidationError, type ValidationIssue } from './errors.js'
import { idSchema } from './text.js'

/**
 * The one gate every public write passes: card data is looked for first, so no later error path can
 * echo it, then the input is parsed by its schema. Returns the parsed (trimmed, normalised) value or
 * throws `CardDataRejectedError` / `ValidationError` listing every issue.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, path = ''): z.output<S> {
  assertNoCardData(input, path)
  return parseSchema(schema, input, path)
}

/**
 * The schema half of {@link parseInput}, for a value that is part of an input already searched for card
 * data as a whole (an element of a batch). Throws `ValidationError` listing every issue.
 */
export function parseSchema<S extends z.ZodType>(schema: S, input: unknown, path = ''): z.output<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  throw new ValidationError(result.error.issues.map((issue) => toIssue(issue, path, input)))
}

function toIssue(issue: z.core.$ZodIssue, root: string, input: unknown): ValidationIssue {
  const path = [root, ...issue.path.map(String)].filter((p) => p !== '').join('.')
  // A field left out fails its type check like a field of the wrong type; say which it is.
  const missing = issue.code === 'invalid_type' && issue.path.length > 0 && isAbsent(input, issue.path)
  return { path, message: missing ? 'is required' : issue.message }
}

/** True when the member at `path` inside `input` is absent or `undefined` (its parent exists). */
function isAbsent(input: unknown, path: readonly PropertyKey[]): boolean {
  let value: unknown = input
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return false
    value = Object.hasOwn(value, key) ? (value as Record<PropertyKey, unknown>)[key] : undefined
  }
  return value === undefined
}

/** Parses a record id argument (`path` names it in errors), through the same gate as every input. */
export function parseId(value: unknown, path: string): string {
  return parseInput(idSchema, value, path)
}
