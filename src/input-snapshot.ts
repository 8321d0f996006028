import { containsCardNumber } from './card-data/card-numbers.js'
import { REDACTED_KEY } from './card-data/guard.js'
import { ValidationError } from './errors.js'

/*
 * The one plain snapshot of a method's input that both the card-data guard and the schema read. A
 * schema reads properties (`input.note`), which runs getters, inherited ones included, and may give a
 * different value at each read; a guard that walks `Object.keys` and a schema that reads again can
 * disagree. So every property is read exactly once, here, into plain data, and only that data goes on.
 */

/** Bounds on an input; every real input is far inside them (a full `createMany` batch included). */
export const SNAPSHOT_LIMITS = {
  /** Objects and arrays nested deeper than this are refused. */
  depth: 32,
  /** Properties of one object. */
  keys: 1000,
  /** Elements of one array. */
  elements: 10_000,
  /** Values in the whole input. */
  values: 2_000_000,
} as const

/**
 * The prototype of a snapshot of an object that is not plain (a class instance, a DTO): the snapshot
 * keeps that difference, so a schema that wants a plain object (metadata) still refuses it, and it has
 * no properties of its own to inherit.
 */
class InstanceSnapshot {}

interface Reading {
  /** Snapshots already made, by original: a shared object is read once, a cycle stays a cycle. */
  readonly made: Map<object, unknown>
  readonly segments: (string | number)[]
  values: number
}

/**
 * Reads `input` once into plain data:
 * - strings, numbers, booleans, bigints, symbols, `null`, `undefined` and functions are kept as they are;
 * - a `Date` becomes a new `Date` at the same instant; typed arrays and `ArrayBuffer`s are kept as they are;
 * - an array becomes a new array of its elements, read by index from `0` to its `length` (read once);
 * - any other object becomes a new object holding, as own enumerable data properties, every property a
 *   schema could read from it: its own and inherited enumerable string keys (`for…in`), and the getters
 *   and other non-function properties it has or inherits below `Object.prototype`, enumerable or not.
 *   Each is read once, through the original (so getters run once, with `this` the original); a `__proto__`
 *   key is kept as an ordinary key. A plain object (prototype `Object.prototype` or `null`) becomes a
 *   plain object; any other becomes an object with an empty prototype of its own, so a schema that wants
 *   a plain object still refuses it.
 *
 * @param input - A method's input, as the caller passed it.
 * @param rootPath - Prefix of every issue's path.
 * @returns The snapshot; the same original object seen twice gives the same snapshot object.
 * @throws `ValidationError` when the input is nested deeper, or holds more keys, elements or values than
 * {@link SNAPSHOT_LIMITS} allows, or a getter throws; the issue names the path, never a value.
 *
 * @example
 * ```ts
 * class Note { get text() { return 'hi' } }
 * snapshotInput({ note: new Note() }) // { note: { text: 'hi' } }, read once
 * ```
 */
export function snapshotInput(input: unknown, rootPath = ''): unknown {
  const reading: Reading = { made: new Map(), segments: rootPath === '' ? [] : [rootPath], values: 0 }
  return read(input, 0, reading)
}

function read(value: unknown, depth: number, reading: Reading): unknown {
  reading.values++
  if (reading.values > SNAPSHOT_LIMITS.values) {
    refuse(reading, `the input holds more than ${SNAPSHOT_LIMITS.values.toLocaleString('en')} values`)
  }
  if (typeof value !== 'object' || value === null) return value
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value
  const made = reading.made.get(value)
  if (made !== undefined) return made
  if (depth >= SNAPSHOT_LIMITS.depth)
    refuse(reading, `is nested more than ${SNAPSHOT_LIMITS.depth} levels deep`)
  if (value instanceof Date) {
    const time = dateTime(value)
    if (time !== undefined) {
      const date = new Date(time)
      reading.made.set(value, date)
      return date
    }
  }
  return Array.isArray(value) ? readArray(value, depth, reading) : readObject(value, depth, reading)
}

function readArray(array: readonly unknown[], depth: number, reading: Reading): unknown[] {
  const length = readProperty(array, 'length', reading)
  if (typeof length !== 'number' || length > SNAPSHOT_LIMITS.elements) {
    refuse(reading, `must hold at most ${SNAPSHOT_LIMITS.elements.toLocaleString('en')} elements`)
  }
  const copy: unknown[] = []
  reading.made.set(array, copy)
  for (let index = 0; index < length; index++) {
    reading.segments.push(index)
    copy.push(read(readProperty(array, index, reading), depth + 1, reading))
    reading.segments.pop()
  }
  return copy
}

function readObject(object: object, depth: number, reading: Reading): object {
  const prototype = Object.getPrototypeOf(object)
  const plain = prototype === Object.prototype || prototype === null
  const copy: Record<string, unknown> = plain ? {} : Object.create(InstanceSnapshot.prototype)
  reading.made.set(object, copy)
  const keys = readableKeys(object, reading)
  if (keys.length > SNAPSHOT_LIMITS.keys) {
    refuse(reading, `must hold at most ${SNAPSHOT_LIMITS.keys.toLocaleString('en')} properties`)
  }
  for (const key of keys) {
    reading.segments.push(containsCardNumber(key) ? REDACTED_KEY : key)
    const value = read(readProperty(object, key, reading), depth + 1, reading)
    // A `__proto__` key stays data and never changes the prototype; no other key of the copy's
    // prototypes (Object's, or the empty InstanceSnapshot's) has a setter, so assignment is the same.
    if (key === '__proto__') {
      Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true })
    } else {
      copy[key] = value
    }
    reading.segments.pop()
  }
  return copy
}

/**
 * The string keys a schema could read from `object`: `for…in` (own and inherited enumerable), then the
 * accessors and non-function data properties it has or inherits below `Object.prototype`, enumerable or
 * not (a class's getters live, non-enumerable, on its prototype). Methods and constructors are left out.
 * The nearest definition of a key decides. Stops counting past the limit, so a huge object costs little.
 */
function readableKeys(object: object, reading: Reading): string[] {
  const keys: string[] = []
  const decided = new Set<string>()
  try {
    for (const key in object) {
      decided.add(key)
      keys.push(key)
      if (keys.length > SNAPSHOT_LIMITS.keys) return keys
    }
    for (let owner: object | null = object; owner !== null && owner !== Object.prototype; ) {
      for (const key of Object.getOwnPropertyNames(owner)) {
        if (decided.has(key)) continue
        decided.add(key)
        const descriptor = Object.getOwnPropertyDescriptor(owner, key)
        if (
          descriptor?.get !== undefined ||
          (descriptor !== undefined && typeof descriptor.value !== 'function')
        ) {
          if (descriptor.set !== undefined && descriptor.get === undefined) continue
          keys.push(key)
          if (keys.length > SNAPSHOT_LIMITS.keys) return keys
        }
      }
      owner = Object.getPrototypeOf(owner)
    }
  } catch {
    refuse(reading, 'could not be read: listing its properties threw')
  }
  return keys
}

function readProperty(object: object, key: string | number, reading: Reading): unknown {
  try {
    return (object as Record<string | number, unknown>)[key]
  } catch {
    refuse(reading, 'could not be read: a getter threw')
  }
}

/** The instant of a real `Date` (read from its internal slot, not a method it may override). */
function dateTime(value: Date): number | undefined {
  try {
    return Date.prototype.getTime.call(value)
  } catch {
    return undefined
  }
}

function refuse(reading: Reading, message: string): never {
  throw new ValidationError([{ path: reading.segments.join('.'), message }])
}
