import type { Knex } from 'knex'
import type { Tables } from '../schema/tables.js'
import { identifier, identifiers, type SqlStatement, sqlText } from '../sql/statements.js'

/*
 * The SQL of the payment writes, written once per table prefix and shape and run as prepared statements
 * (see sql/statements.ts). Each function returns the text and its bindings together, so a text and the
 * order of its values cannot drift apart.
 */

/** The columns of a ledger row as {@link selectPaymentsWithLedger} names them, beside the payment's. */
export interface JoinedLedgerColumns {
  ledger_id: string | null
  ledger_type: string | null
  ledger_amount: number | string | null
  ledger_reference: string | null
  ledger_note: string | null
  ledger_actor: string | null
  ledger_created_at: unknown
  line_id: string | null
  line_quantity: number | null
  line_amount: number | string | null
}

/**
 * Every payment of the order, oldest first, every column; `ledgerOf`'s rows joined to its payment
 * (oldest first, each with its refund lines), so a write reads the payments it settles against and the
 * ledger its answer shows in one statement. Without `ledgerOf`, the payments alone.
 */
export function selectPayments(db: Knex, tables: Tables, orderId: string, ledgerOf?: string): SqlStatement {
  const joined = ledgerOf !== undefined
  const key = `payments:${tables.payments}:${joined ? `${tables.paymentTransactions}:${tables.refundLines}` : ''}`
  const sql = sqlText(db, key, () => {
    const [payments, transactions, refundLines] = identifiers(
      db,
      tables.payments,
      tables.paymentTransactions,
      tables.refundLines,
    )
    const [id, orderIdColumn, paymentId, transactionId, createdAt] = identifiers(
      db,
      'id',
      'order_id',
      'payment_id',
      'transaction_id',
      'created_at',
    )
    if (!joined) {
      return `select * from ${payments} where ${orderIdColumn} = ? order by ${createdAt} asc, ${id} asc`
    }
    const ledger = ['id', 'type', 'amount', 'reference', 'note', 'actor', 'created_at']
      .map((column) => `t.${identifier(db, column)} as ${identifier(db, `ledger_${column}`)}`)
      .join(', ')
    const lines = ['line_id', 'quantity', 'amount']
      .map(
        (column) =>
          `r.${identifier(db, column)} as ${identifier(db, column === 'line_id' ? column : `line_${column}`)}`,
      )
      .join(', ')
    return (
      `select p.*, ${ledger}, ${lines} from ${payments} p ` +
      `left join ${transactions} t on t.${paymentId} = p.${id} and p.${id} = ? ` +
      `left join ${refundLines} r on r.${transactionId} = t.${id} ` +
      `where p.${orderIdColumn} = ? ` +
      `order by p.${createdAt} asc, p.${id} asc, t.${createdAt} asc, t.${id} asc, r.${id} asc`
    )
  })
  return { sql, bindings: joined ? [ledgerOf, orderId] : [orderId] }
}

/** A change to one payment's sums, as increments, and the row it must find. */
export interface SumsUpdate {
  readonly id: string
  /** The version read under the lock; the row moves to `version + 1`. */
  readonly version: number
  readonly captured: number
  readonly refunded: number
  readonly voided: number
  readonly status: string
  readonly at: unknown
}

/**
 * Adds the increments to the payment's sums, only if it is still at the version read and the sums stay
 * within their bounds (captured + voided ≤ amount, refunded ≤ captured).
 */
export function updatePaymentSums(db: Knex, tables: Tables, change: SumsUpdate): SqlStatement {
  const sql = sqlText(db, `payment-sums:${tables.payments}`, () => {
    const [payments, captured, refunded, voided, amount, status, version, updatedAt, id] = identifiers(
      db,
      tables.payments,
      'captured_amount',
      'refunded_amount',
      'voided_amount',
      'amount',
      'status',
      'version',
      'updated_at',
      'id',
    )
    return (
      `update ${payments} set ${captured} = ${captured} + ?, ${refunded} = ${refunded} + ?, ` +
      `${voided} = ${voided} + ?, ${status} = ?, ${version} = ?, ${updatedAt} = ? ` +
      `where ${id} = ? and ${version} = ? and ${captured} + ? + ${voided} + ? <= ${amount} ` +
      `and ${refunded} + ? <= ${captured} + ?`
    )
  })
  const { captured, refunded, voided } = change
  return {
    sql,
    bindings: [
      captured,
      refunded,
      voided,
      change.status,
      change.version + 1,
      change.at,
      change.id,
      change.version,
      captured,
      voided,
      refunded,
      captured,
    ],
  }
}

/** The order's money columns as a payment write leaves them. */
export interface OrderMoneyUpdate {
  readonly id: string
  readonly capturedTotal: number
  readonly refundedTotal: number
  readonly paymentStatus: string
  readonly at: unknown
  /** The status the money moves the order to, and its new version; none when it stays. */
  readonly move?: { readonly status: string; readonly version: number } | undefined
  /** Outbox events this write appends to the order: its counter advances by as many. */
  readonly events: number
}

/**
 * Stores the order's sums and payment status (and its status and version, when money moves it) and
 * advances its outbox counter, in the UPDATE of the row whose lock the write holds.
 */
export function updateOrderMoney(db: Knex, tables: Tables, change: OrderMoneyUpdate): SqlStatement {
  const moved = change.move !== undefined
  const sql = sqlText(db, `order-money:${tables.orders}:${moved}`, () => {
    const [orders, captured, refunded, paymentStatus, updatedAt, status, version, sequence, id] = identifiers(
      db,
      tables.orders,
      'captured_total',
      'refunded_total',
      'payment_status',
      'updated_at',
      'status',
      'version',
      'outbox_sequence',
      'id',
    )
    return (
      `update ${orders} set ${captured} = ?, ${refunded} = ?, ${paymentStatus} = ?, ${updatedAt} = ?, ` +
      `${moved ? `${status} = ?, ${version} = ?, ` : ''}${sequence} = ${sequence} + ? where ${id} = ?`
    )
  })
  const head = [change.capturedTotal, change.refundedTotal, change.paymentStatus, change.at]
  const move = change.move ? [change.move.status, change.move.version] : []
  return { sql, bindings: [...head, ...move, change.events, change.id] }
}

/**
 * Raises a line's refunded units by `quantity`, only if that stays within what was bought: the
 * database's own check that a line is never refunded past it, whatever else writes it.
 */
export function refundUnits(
  db: Knex,
  tables: Tables,
  orderId: string,
  lineId: string,
  quantity: number,
): SqlStatement {
  const sql = sqlText(db, `refund-units:${tables.orderLines}`, () => {
    const [lines, refunded, quantityColumn, id, orderIdColumn] = identifiers(
      db,
      tables.orderLines,
      'refunded_quantity',
      'quantity',
      'id',
      'order_id',
    )
    return (
      `update ${lines} set ${refunded} = ${refunded} + ? ` +
      `where ${id} = ? and ${orderIdColumn} = ? and ${refunded} + ? <= ${quantityColumn}`
    )
  })
  return { sql, bindings: [quantity, lineId, orderId, quantity] }
}

/** The idempotency key `key` of `scope`, every column. */
export function selectPaymentKey(db: Knex, tables: Tables, scope: string, key: string): SqlStatement {
  const sql = sqlText(db, `payment-key:${tables.paymentKeys}`, () => {
    const [keys, scopeColumn, keyColumn] = identifiers(db, tables.paymentKeys, 'scope', 'key')
    return `select * from ${keys} where ${scopeColumn} = ? and ${keyColumn} = ?`
  })
  return { sql, bindings: [scope, key] }
}

/** The payment `id`, every column. */
export function selectPayment(db: Knex, tables: Tables, id: string): SqlStatement {
  const sql = sqlText(db, `payment:${tables.payments}`, () => {
    const [payments, idColumn] = identifiers(db, tables.payments, 'id')
    return `select * from ${payments} where ${idColumn} = ?`
  })
  return { sql, bindings: [id] }
}

/** The order of the payment `id`. */
export function selectOrderIdOfPayment(db: Knex, tables: Tables, id: string): SqlStatement {
  const sql = sqlText(db, `payment-order:${tables.payments}`, () => {
    const [payments, orderId, idColumn] = identifiers(db, tables.payments, 'order_id', 'id')
    return `select ${orderId} from ${payments} where ${idColumn} = ?`
  })
  return { sql, bindings: [id] }
}
