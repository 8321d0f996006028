import type { z } from 'zod'
import { assertNoCardData } from './card-data/guard.js'
import { ValidationError, type ValidationIssue } from './errors.js'
import { snapshotInput } from './input-snapshot.js'
import { idSchema } from './text.js'

/*
 * The one gate every public method's input passes:
 * 1. a plain snapshot of the input is read, each property exactly once (input-snapshot.ts), so what is
 *    checked is what is stored, even when a getter would answer differently at a second read;
 * 2. the card-data guard searches that snapshot, first, so no later error path can echo a card number;
 * 3. the schema parses the same snapshot, each check linear in the input's size, lengths before patterns.
 */

/**
 * Snapshots `input` and searches it for card data: steps 1 and 2 of the gate. Returns the snapshot, the
 * only form of the input anything after may read.
 *
 * @throws `ValidationError` when the input is too large or deep to snapshot, `CardDataRejectedError`
 * when it holds card data.
 */
export function readInput(input: unknown, path = ''): unknown {
  const snapshot = snapshotInput(input, path)
  assertNoCardData(snapshot, path)
  return snapshot
}

/**
 * The whole gate: {@link readInput}, then the schema over the snapshot. Returns the parsed (trimmed,
 * normalised) value or throws `CardDataRejectedError` / `ValidationError` listing every issue.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, path = ''): z.output<S> {
  return parseSchema(schema, readInput(input, path), path)
}

/**
 * The schema half of {@link parseInput}, for a value that is part of a snapshot already searched for
 * card data as a whole (an element of a batch). Throws `ValidationError` listing every issue.
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
