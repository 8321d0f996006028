import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'

// The built package, as a user's `import` and `require` resolve it through package.json's exports
// (npm test builds first). The name is a plain string so type-checking does not need a build.
const require = createRequire(import.meta.url)
const PACKAGE: string = 'checkout-store'
type Api = typeof import('../src/index.js')
const importPackage = async (): Promise<Api> => (await import(PACKAGE)) as Api
const requirePackage = (): Api => require(PACKAGE) as Api

describe('the built package', () => {
  it('exposes the same public API from its ESM and CommonJS entry points', async () => {
    const esm = await importPackage()
    const cjs = requirePackage()
    const expected = [
      'BalanceExceededError',
      'CardDataRejectedError',
      'CheckoutStoreError',
      'ConfigurationError',
      'CustomerAnonymizedError',
      'CustomerHasOpenOrdersError',
      'DatabaseError',
      'DuplicateEmailError',
      'FULFILLMENT_TRANSITIONS',
      'HTTP_STATUS',
      'IdempotencyKeyReusedError',
      'InvalidTransitionError',
      'NotFoundError',
      'ORDER_STATUSES',
      'ORDER_TRANSITIONS',
      'ValidationError',
      'VersionConflictError',
      'canTransition',
      'combineSchemas',
      'createCheckoutStore',
      'isCheckoutStoreError',
      'schemas',
    ]
    expect(Object.keys(esm).sort()).toEqual(expected)
    expect(Object.keys(cjs).sort()).toEqual(expected)
  })

  it('runs the checkout scenario from the ESM build on SQLite', async () => {
    const { createCheckoutStore, CheckoutStoreError } = await importPackage()
    const { default: knex } = await import('knex')
    const db = knex({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
      pool: {
        max: 1,
        afterCreate(
          conn: { pragma(sql: string): unknown },
          done: (err: Error | null, conn: unknown) => void,
        ) {
          conn.pragma('foreign_keys = ON')
          done(null, conn)
        },
      },
    })
    try {
      const store = createCheckoutStore(db)
      await store.migrate()
      const ada = await store.customers.create({ email: 'Ada@Example.com', name: 'Ada Lovelace' })
      const order = await store.orders.create({
        customerId: ada.id,
        currency: 'USD',
        items: [
          { sku: 'TEE-BLUE-M', name: 'Blue tee', attributes: { size: 'M' }, quantity: 2, unitPrice: 1999 },
        ],
        shippingTotal: 500,
        taxTotal: 320,
      })
      expect(order).toMatchObject({
        status: 'pending',
        version: 1,
        subtotal: 3998,
        total: 4818,
        email: 'Ada@Example.com',
      })
      const error = await store.customers.create({ email: 'ada@example.com' }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CheckoutStoreError)
      expect(error).toMatchObject({ code: 'DUPLICATE_EMAIL' })
    } finally {
      await db.destroy()
    }
  })

  it('throws errors from the CommonJS build that are instances of its exported classes', async () => {
    const { createCheckoutStore, CheckoutStoreError, ValidationError } = requirePackage()
    const { default: knex } = await import('knex')
    const db = knex({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    })
    try {
      let caught: unknown
      try {
        createCheckoutStore(db, { tablePrefix: 'no spaces' })
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(ValidationError)
      expect(caught).toBeInstanceOf(CheckoutStoreError)
      expect(caught).toMatchObject({ code: 'VALIDATION_FAILED', name: 'ValidationError' })
    } finally {
      await db.destroy()
    }
  })

  it('recognises the errors of the other build with isCheckoutStoreError and instanceof, both loaded', async () => {
    const esm = await importPackage()
    const cjs = requirePackage()
    expect(esm.CheckoutStoreError).not.toBe(cjs.CheckoutStoreError)
    const { default: knex } = await import('knex')
    const db = knex({
      client: 'better-sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    })
    try {
      const thrownBy = (api: Api): unknown => {
        try {
          api.createCheckoutStore(db, { tablePrefix: 'no spaces' })
        } catch (error) {
          return error
        }
        throw new Error('expected a ValidationError')
      }
      for (const [thrower, checker] of [
        [cjs, esm],
        [esm, cjs],
      ] as const) {
        const error = thrownBy(thrower)
        expect(checker.isCheckoutStoreError(error)).toBe(true)
        expect(error instanceof checker.CheckoutStoreError).toBe(true)
        expect(error).toMatchObject({ code: 'VALIDATION_FAILED', httpStatus: 400 })
        // A subclass is its own build's: code, not the class, is what crosses builds.
        expect(error instanceof checker.ValidationError).toBe(false)
      }
      expect(esm.isCheckoutStoreError(new Error('other'))).toBe(false)
    } finally {
      await db.destroy()
    }
  })

  it('packs exactly the builds, their declarations, README, CHANGELOG, LICENSE and package.json', () => {
    // npm test built dist/ first; the scripts are skipped so that packing does not build again.
    const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    const [packed] = JSON.parse(output) as Array<{ files: Array<{ path: string }>; size: number }>
    expect(packed?.files.map((f) => f.path).sort()).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist/cli.js',
      'dist/index.cjs',
      'dist/index.d.cts',
      'dist/index.d.ts',
      'dist/index.js',
      'package.json',
    ])
    console.log(`packed size: ${packed?.size} bytes`)
  })
})
