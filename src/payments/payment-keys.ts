import type { Knex } from 'knex'
import { IdempotencyKeyReusedError } from '../errors.js'
import { requestHash } from '../orders/idempotency.js'
import { isUniqueViolation } from '../sql/driver-errors.js'
import { insertRows } from '../sql/multi-row-insert.js'
import { queryFirst } from '../sql/statements.js'
import type { DbDate } from '../sql/values.js'
import type { StoreContext } from '../store-context.js'
import type { Payment } from './payment.js'
import { PAYMENT_KEY_COLUMNS, type PaymentKeyRow } from './payment-row.js'
import { selectPaymentKey } from './payment-statements.js'

/*
 * Idempotency keys of payment calls, with the semantics of orders.create: the same key and input return
 * the first call's payment (as it stands) and write nothing; a different input throws
 * IDEMPOTENCY_KEY_REUSED; of concurrent callers with one key, one writes and the others get its result.
 */

/** What a write does with its key: look for it after taking the order's lock, record it last. */
export interface KeyGuard {
  /** Throws (internally) when a concurrent call with this key committed while this one waited for the lock. */
  check(trx: Knex.Transaction): Promise<void>
  /**
   * Records the key, inside the write: a duplicate (a caller that skipped the check, which the order lock
   * makes impossible) fails the insert and undoes the whole transaction.
   */
  record(trx: Knex.Transaction, paymentId: string, at: DbDate): Promise<void>
}

const NO_KEY: KeyGuard = { check: async () => {}, record: async () => {} }

/** Thrown inside the write when the key turned up under the lock; never leaves this module. */
class KeyTaken extends Error {
  constructor(readonly row: PaymentKeyRow) {
    super('idempotency key already used')
  }
}

/** One keyed call: its scope (`capture:<payment id>`, `authorize:<order id>`, …), key and input hash. */
export interface KeyedCall {
  readonly scope: string
  readonly key: string
  readonly hash: string
}

/** The {@link KeyedCall} of a call with `idempotencyKey`, or `undefined` without one. */
export function keyedCall(scope: string, key: string | undefined, input: unknown): KeyedCall | undefined {
  return key === undefined ? undefined : { scope, key, hash: requestHash(input) }
}

/**
 * Runs `write` in one transaction, keyed by `call` when there is one: a key already recorded answers with
 * `read` of its payment (or `IDEMPOTENCY_KEY_REUSED` for another input) without writing.
 */
export async function runKeyed(
  ctx: StoreContext,
  call: KeyedCall | undefined,
  write: (trx: Knex.Transaction, guard: KeyGuard) => Promise<Payment>,
  read: (paymentId: string) => Promise<Payment>,
): Promise<Payment> {
  if (!call) return ctx.write((trx) => write(trx, NO_KEY))
  const table = ctx.tables.paymentKeys
  const find = (db: Knex) =>
    queryFirst<PaymentKeyRow>(db, selectPaymentKey(db, ctx.tables, call.scope, call.key))
  const replay = (row: PaymentKeyRow) => {
    if (row.request_hash !== call.hash) throw new IdempotencyKeyReusedError()
    return read(row.payment_id)
  }
  const known = await find(ctx.db)
  if (known) return replay(known)
  const guard: KeyGuard = {
    async check(trx) {
      // A caller with the same key that committed while this one waited for the order lock: its write
      // is the answer, and this one must not write a second time.
      const row = await find(trx)
      if (row) throw new KeyTaken(row)
    },
    async record(trx, paymentId, at) {
      const row: PaymentKeyRow = {
        scope: call.scope,
        key: call.key,
        request_hash: call.hash,
        payment_id: paymentId,
        created_at: at,
      }
      await insertRows(trx, table, PAYMENT_KEY_COLUMNS, [row])
    },
  }
  try {
    return await ctx.write((trx) => write(trx, guard))
  } catch (error) {
    if (error instanceof KeyTaken) return replay(error.row)
    // The key's insert lost to a concurrent caller's: this transaction is rolled back as a whole.
    if (!isUniqueViolation(error)) throw error
    const winner = await find(ctx.db)
    if (!winner) throw error
    return replay(winner)
  }
}
