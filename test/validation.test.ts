import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CardDataRejectedError, ValidationError } from '../src/errors.js'
import { SNAPSHOT_LIMITS, snapshotInput } from '../src/input-snapshot.js'
import { metadataSchema } from '../src/metadata.js'
import { parseInput } from '../src/validation.js'

/*
 * The gate reads one plain snapshot of the input and gives it to the card-data guard and to the schema:
 * what the guard approved is exactly what the schema parses and the store writes.
 */

const CARD = '4242 4242 4242 4242'
const noteSchema = z.strictObject({ note: z.string().max(100), metadata: metadataSchema.optional() })

function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}

describe('parseInput reads one snapshot', () => {
  it('reads a getter once: a clean first answer and a card number second never store the card number', () => {
    let reads = 0
    const input = {
      get note() {
        reads++
        return reads === 1 ? 'leave at the door' : CARD
      },
    }
    expect(parseInput(noteSchema, input)).toEqual({ note: 'leave at the door' })
    expect(reads).toBe(1)
  })

  it('searches what a schema would read: inherited, prototype getters and non-enumerable properties', () => {
    const inherited = Object.create({ note: CARD })
    class Dto {
      get note() {
        return `card ${CARD}`
      }
    }
    const hidden = {}
    Object.defineProperty(hidden, 'note', { value: CARD, enumerable: false })
    for (const input of [inherited, new Dto(), hidden]) {
      const error = thrown(() => parseInput(noteSchema, input))
      expect(error).toBeInstanceOf(CardDataRejectedError)
      expect((error as CardDataRejectedError).issues).toEqual([{ path: 'note', message: expect.any(String) }])
    }
  })

  it('gives the schema the same values: a DTO with getters parses like the plain object', () => {
    class Dto {
      #note = 'hi'
      get note() {
        return this.#note
      }
      describe() {
        return this.#note
      }
    }
    expect(parseInput(noteSchema, new Dto())).toEqual({ note: 'hi' })
  })

  it('keeps a __proto__ key as data, never as the prototype', () => {
    const input = JSON.parse('{"note":"n","metadata":{"__proto__":"x","a":"b"}}')
    const parsed = parseInput(noteSchema, input)
    expect(Object.getPrototypeOf(parsed.metadata)).toBe(Object.prototype)
    expect(Object.entries(parsed.metadata ?? {})).toEqual([
      ['__proto__', 'x'],
      ['a', 'b'],
    ])
    // What sits under the key is searched like any other value.
    const polluted = JSON.parse(`{"note":"n","metadata":{"__proto__":{"cvv":"1"}}}`)
    expect(thrown(() => parseInput(noteSchema, polluted))).toBeInstanceOf(CardDataRejectedError)
  })

  it('keeps Dates as Dates at the same instant, and still refuses a class instance as metadata', () => {
    const at = new Date('2026-01-02T03:04:05.678Z')
    const snapshot = snapshotInput({ at }) as { at: Date }
    expect(snapshot.at).toBeInstanceOf(Date)
    expect(snapshot.at.getTime()).toBe(at.getTime())
    class Meta {
      a = 'b'
    }
    expect(thrown(() => parseInput(noteSchema, { note: 'n', metadata: new Meta() }))).toBeInstanceOf(
      ValidationError,
    )
  })

  it('survives cycles and shared objects, each read once', () => {
    const shared = { a: 'b' }
    const cyclic: Record<string, unknown> = { note: 'n', one: shared, two: shared }
    cyclic.self = cyclic
    const snapshot = snapshotInput(cyclic) as Record<string, unknown>
    expect(snapshot.self).toBe(snapshot)
    expect(snapshot.one).toBe(snapshot.two)
    expect(thrown(() => parseInput(noteSchema, cyclic))).toBeInstanceOf(ValidationError)
  })

  it('refuses input past its bounds with VALIDATION_FAILED at the path, without a stack overflow', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 100_000; i++) deep = { a: deep }
    const tooDeep = thrown(() => parseInput(noteSchema, { note: 'n', metadata: deep }))
    expect(tooDeep).toBeInstanceOf(ValidationError)
    expect((tooDeep as ValidationError).issues[0]?.path).toMatch(/^metadata(\.a)+$/)

    const long = thrown(() =>
      parseInput(noteSchema, { note: 'n', list: new Array(SNAPSHOT_LIMITS.elements + 1) }),
    )
    expect((long as ValidationError).issues).toEqual([
      { path: 'list', message: expect.stringMatching(/at most/) },
    ])

    const wide = Object.fromEntries(
      Array.from({ length: SNAPSHOT_LIMITS.keys + 1 }, (_, i) => [`k${i}`, 'v']),
    )
    expect(
      (thrown(() => parseInput(noteSchema, { metadata: wide })) as ValidationError).issues[0]?.path,
    ).toBe('metadata')
  })

  it('turns a getter that throws into VALIDATION_FAILED that does not carry its error', () => {
    const input = {
      get note(): string {
        throw new Error(`secret ${CARD}`)
      },
    }
    const error = thrown(() => parseInput(noteSchema, input)) as ValidationError
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.issues).toEqual([{ path: 'note', message: expect.stringMatching(/could not be read/) }])
    expect(JSON.stringify(error)).not.toContain('secret')
    expect(error.cause).toBeUndefined()
  })

  it('reads every property exactly once, through a proxy that counts', () => {
    const reads = new Map<PropertyKey, number>()
    const target = { note: 'n', metadata: { a: 'b' } }
    const proxy = new Proxy(target, {
      get(object, key, receiver) {
        reads.set(key, (reads.get(key) ?? 0) + 1)
        return Reflect.get(object, key, receiver)
      },
    })
    expect(parseInput(noteSchema, proxy)).toEqual(target)
    expect(reads.get('note')).toBe(1)
    expect(reads.get('metadata')).toBe(1)
  })

  it('redacts a key that looks like a card number in the path of a bounds error', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 40; i++) deep = { a: deep }
    const error = thrown(() => parseInput(noteSchema, { [CARD]: deep })) as ValidationError
    expect(JSON.stringify(error.issues)).not.toContain('4242')
  })
})
