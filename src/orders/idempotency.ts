import { createHash } from 'node:crypto'

/**
 * The fingerprint of a create request, stored beside its idempotency key: sha256 (hex) of the parsed
 * input as canonical JSON (object keys sorted at every level, absent fields left out), so the same
 * order given with its keys in another order, or with a default spelled out, hashes the same.
 *
 * @param input - The parsed (validated, normalised) create input.
 * @returns 64 lowercase hex characters.
 */
export function requestHash(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex')
}

/** JSON with object keys sorted; `undefined` members are dropped, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item
    const record = item as Record<string, unknown>
    return Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]),
    )
  })
}
