import type { Knex } from 'knex'
import { uuidv7 } from 'uuidv7'
import {
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  NotFoundError,
  VersionConflictError,
} from '../errors.js'
import { orderStatusChanged } from '../outbox/drafts.js'
import { appendOutboxEvents } from '../outbox/outbox-writer.js'
import type { Page } from '../page.js'
import { isForeignKeyViolation, isUniqueViolation } from '../sql/driver-errors.js'
import { decodeCursor, newestFirstAfter, splitPage } from '../sql/keyset.js'
import { execute, queryFirst, queryRows } from '../sql/statements.js'
import { fromDbDate, fromDbInt, toDbDate } from '../sql/values.js'
import type { StoreContext } from '../store-context.js'
import { normalizeEmail } from '../text.js'
import { parseId, parseInput } from '../validation.js'
import { erasedIdempotencyKey, placed, requestHash } from './idempotency.js'
import type { Order, OrderEvent, OrderRepository, PlacedOrder } from './order.js'
import { parseOrderInput, parseOrderInputs, type ValidOrder } from './order-input.js'
import {
  EVENT_COLUMNS,
  type IdempotencyKeyRow,
  type OrderEventRow,
  type OrderLineRow,
  type OrderRow,
  toOrder,
  toOrderEvent,
} from './order-row.js'
import {
  createOrderOptionsSchema,
  listOrdersSchema,
  orderNumberSchema,
  orderStatusSchema,
  transitionOptionsSchema,
} from './order-schema.js'
import { selectLines, selectOrder, selectOrderWithClock, updateStatus } from './order-statements.js'
import { canTransition, type OrderStatus } from './order-status.js'
import { customerIds, missingCustomer, writeOrders } from './order-writer.js'

/**
 * How often a transition without `expectedVersion` re-reads the order after losing a race before it
 * gives up with `VERSION_CONFLICT`. Each lost round means another transition succeeded, and the state
 * rules allow only a handful of transitions per order, so this is never reached in practice.
 */
const MAX_TRANSITION_ATTEMPTS = 8

/**
 * Creates the order repository over a store context: plain reads where `ctx.reader()` routes them,
 * reads a write depends on with every write on the primary (`ctx.db`, one `ctx.write`: a transaction,
 * or a savepoint when the store is bound to one).
 *
 * @param ctx - The executor, dialect and table names of the store.
 * @returns The {@link OrderRepository}.
 */
export function createOrderRepository(ctx: StoreContext): OrderRepository {
  const { tables, dialect } = ctx

  /**
   * Makes `query` a locking read (FOR SHARE) when `newest` is set, on the servers: it reads the newest
   * committed rows, where a plain read inside a REPEATABLE READ transaction would read its snapshot.
   * SQLite's writers take turns on the whole file, so there a plain read already sees the newest rows.
   */
  const newestCommitted = <Q extends Knex.QueryBuilder>(query: Q, newest: boolean): Q =>
    newest && dialect !== 'sqlite3' ? (query.forShare() as Q) : query

  /** The lines of one order, or of a page of orders, in one query. */
  const readLines = async (
    db: Knex,
    orderIds: readonly string[],
    newest = false,
  ): Promise<Map<string, OrderLineRow[]>> => {
    const byOrder = new Map<string, OrderLineRow[]>(orderIds.map((id) => [id, []]))
    if (orderIds.length === 0) return byOrder
    const rows = await queryRows<OrderLineRow>(db, selectLines(db, dialect, tables, orderIds, newest))
    for (const row of rows) byOrder.get(row.order_id)?.push(row)
    return byOrder
  }

  const withLines = async (db: Knex, row: OrderRow | undefined, newest = false): Promise<Order | null> => {
    if (!row) return null
    const lines = await readLines(db, [row.id], newest)
    return toOrder(row, lines.get(row.id) ?? [])
  }

  const findById = async (db: Knex, id: string, newest = false): Promise<Order | null> =>
    withLines(db, await queryFirst<OrderRow>(db, selectOrder(db, dialect, tables, id, newest)), newest)

  const getById = async (db: Knex, id: string, newest = false): Promise<Order> => {
    const order = await findById(db, id, newest)
    if (!order) throw new NotFoundError('order', id)
    return order
  }

  // An erased order's key is stored as its digest (see erasedIdempotencyKey): look up both forms.
  const readKey = (key: string, newest = false): Promise<IdempotencyKeyRow | undefined> =>
    newestCommitted(
      ctx.db<IdempotencyKeyRow>(tables.idempotencyKeys).whereIn('key', [key, erasedIdempotencyKey(key)]),
      newest,
    ).first()

  /**
   * The order a key already made, if the request is the same. A different request is refused without
   * naming the order: its caller may not be the one who placed it.
   */
  const replay = async (row: IdempotencyKeyRow, hash: string, newest = false): Promise<PlacedOrder> => {
    if (row.request_hash !== hash) throw new IdempotencyKeyReusedError()
    return placed(await getById(ctx.db, row.order_id, newest), true)
  }

  /**
   * Writes the order, its lines and its first event ({@link writeOrders}) and, last, its idempotency key,
   * in `trx`: at most six statements.
   */
  const insertOrder = async (
    trx: Knex.Transaction,
    valid: ValidOrder,
    key: { key: string; hash: string } | undefined,
    galera: boolean,
  ): Promise<Order> => {
    const [order] = (await writeOrders(trx, dialect, tables, [valid], galera)) as [Order]
    if (key) {
      const keyRow: IdempotencyKeyRow = {
        key: key.key,
        request_hash: key.hash,
        order_id: order.id,
        created_at: toDbDate(dialect, order.createdAt),
      }
      // Last, so the unique violation of a concurrent caller with the same key comes after every other
      // write and undoes them all with the transaction.
      await trx(tables.idempotencyKeys).insert(keyRow)
    }
    return order
  }

  return {
    async create(input, options) {
      const valid = parseOrderInput(input)
      const { idempotencyKey } = parseInput(createOrderOptionsSchema, options ?? {})
      if (idempotencyKey === undefined) {
        return placed(
          await ctx.write((trx, server) => insertOrder(trx, valid, undefined, server.galera)),
          false,
        )
      }

      const key = { key: idempotencyKey, hash: requestHash(valid.input) }
      const existing = await readKey(key.key)
      if (existing) return replay(existing, key.hash)
      try {
        return placed(await ctx.write((trx, server) => insertOrder(trx, valid, key, server.galera)), false)
      } catch (error) {
        // A concurrent caller with the same key committed first: our transaction is rolled back as a
        // whole (on pg the failed INSERT aborted it anyway), and the winner's order is the answer.
        // Read it with a locking read: inside a host's transaction on MySQL/MariaDB (REPEATABLE READ) a
        // plain read stays in the snapshot taken before the winner committed and would miss its rows.
        if (!isUniqueViolation(error)) throw error
        const winner = await readKey(key.key, true)
        if (!winner) throw error
        return replay(winner, key.hash, true)
      }
    },

    async createMany(inputs) {
      const valid = parseOrderInputs(inputs)
      try {
        return await ctx.write((trx, server) => writeOrders(trx, dialect, tables, valid, server.galera))
      } catch (error) {
        // Several customers given with an email each: the foreign key refused one of them, and the
        // transaction is rolled back (on pg aborted), so find out which one outside it.
        if (!isForeignKeyViolation(error)) throw error
        const missing = await missingCustomer(ctx.db, tables.customers, customerIds(valid))
        if (missing === undefined) throw error
        throw new NotFoundError('customer', missing)
      }
    },

    async get(id) {
      return getById(await ctx.reader(), parseId(id, 'id'))
    },

    async find(id) {
      return findById(await ctx.reader(), parseId(id, 'id'))
    },

    async findByNumber(number) {
      const parsed = parseInput(orderNumberSchema, number, 'number')
      const db = await ctx.reader()
      return withLines(
        db,
        await queryFirst<OrderRow>(db, db<OrderRow>(tables.orders).where({ number: parsed })),
      )
    },

    async list(options) {
      const parsed = parseInput(listOrdersSchema, options ?? {})
      const limit = parsed.limit
      const after = parsed.cursor ? decodeCursor(parsed.cursor) : undefined
      const db = await ctx.reader()
      const query = db<OrderRow>(tables.orders).select('*')
      // Each filter leads one of the (…, created_at, id) indexes of the schema.
      if (parsed.customerId !== undefined) query.where('customer_id', parsed.customerId)
      if (parsed.email !== undefined) query.where('email_normalized', normalizeEmail(parsed.email))
      if (typeof parsed.status === 'string') query.where('status', parsed.status)
      else if (parsed.status) query.whereIn('status', parsed.status)
      if (typeof parsed.paymentStatus === 'string') query.where('payment_status', parsed.paymentStatus)
      else if (parsed.paymentStatus) query.whereIn('payment_status', parsed.paymentStatus)
      if (parsed.createdAfter) query.where('created_at', '>=', toDbDate(dialect, parsed.createdAfter))
      if (parsed.createdBefore) query.where('created_at', '<', toDbDate(dialect, parsed.createdBefore))
      newestFirstAfter(query, dialect, after).limit(limit + 1)
      const rows = await queryRows<OrderRow>(db, query)
      const { pageRows, nextCursor } = splitPage(rows, limit, (row) => ({
        createdAt: fromDbDate(row.created_at),
        id: row.id,
      }))
      const lines = await readLines(
        db,
        pageRows.map((row) => row.id),
      )
      const page: Page<Order> = {
        items: pageRows.map((row) => toOrder(row, lines.get(row.id) ?? [])),
        nextCursor,
      }
      return page
    },

    async transition(id, to, options) {
      const orderId = parseId(id, 'id')
      const target = parseInput(orderStatusSchema, to, 'to')
      const { expectedVersion, note, actor } = parseInput(transitionOptionsSchema, options ?? {})

      for (let attempt = 1; ; attempt++) {
        // The order and its lines in parallel (two pooled connections on a server): the lines are needed
        // for the answer, transitions never change them, and this keeps them off the path after COMMIT.
        // The read also takes the database's clock (see below), so the transition needs no extra statement.
        const [read, lines] = await Promise.all([
          queryFirst<OrderRow & { clock_ms: unknown }>(
            ctx.db,
            selectOrderWithClock(ctx.db, dialect, tables, orderId),
          ),
          readLines(ctx.db, [orderId]),
        ])
        if (!read) throw new NotFoundError('order', orderId)
        const { clock_ms: clock, ...row } = read
        const from = row.status as OrderStatus
        const version = fromDbInt(row.version)
        // A stale expectedVersion is the caller's first problem: the status it saw is stale too.
        if (expectedVersion !== undefined && expectedVersion !== version) {
          throw new VersionConflictError('order', orderId, expectedVersion, version)
        }
        if (!canTransition(from, target)) throw new InvalidTransitionError(orderId, from, target)

        // The database's clock, read after this order's last change was committed (the read saw it), and
        // at least a millisecond past that change: the order's events list in the order they happened,
        // whichever app host's clock is ahead. The conditional UPDATE below keeps that true under races.
        const nowMs = Math.max(fromDbInt(clock), fromDbDate(row.updated_at).getTime() + 1)
        const date = new Date(nowMs)
        const now = toDbDate(dialect, date)
        const changed = await ctx.write(async (trx) => {
          // Conditional on what was just read, so a status change never overwrites a concurrent one:
          // of several racing callers exactly one matches the row, on every dialect. The same statement
          // advances the order's outbox counter for the event appended below.
          const count = await execute(
            trx,
            updateStatus(trx, tables, { id: orderId, from, to: target, version, at: now }),
          )
          if (count === 0) return false
          const event: OrderEventRow = {
            id: uuidv7(),
            order_id: orderId,
            type: 'status_changed',
            from_status: from,
            to_status: target,
            note: note ?? null,
            actor: actor ?? null,
            created_at: now,
          }
          const change = { orderId, number: fromDbInt(row.number), from, to: target, version: version + 1 }
          await appendOutboxEvents(trx, dialect, tables, [orderStatusChanged(change, date)], 'bumped', [
            { table: tables.orderEvents, columns: EVENT_COLUMNS, rows: [event] },
          ])
          return true
        })

        if (changed) {
          const updated: OrderRow = { ...row, status: target, version: version + 1, updated_at: now }
          return toOrder(updated, lines.get(orderId) ?? [])
        }
        if (expectedVersion !== undefined) {
          const current = await ctx
            .db<OrderRow>(tables.orders)
            .select('version')
            .where({ id: orderId })
            .first()
          if (!current) throw new NotFoundError('order', orderId)
          throw new VersionConflictError('order', orderId, expectedVersion, fromDbInt(current.version))
        }
        // No expectedVersion: another change won the race, so read again and let the state rules decide.
        if (attempt >= MAX_TRANSITION_ATTEMPTS) throw new VersionConflictError('order', orderId, version)
      }
    },

    async events(id) {
      const orderId = parseId(id, 'id')
      const db = await ctx.reader()
      const rows = (await db<OrderEventRow>(tables.orderEvents)
        .where({ order_id: orderId })
        .orderBy([
          { column: 'created_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])) as OrderEventRow[]
      // Every order has its order_placed event (deleted only with the order), so none means no order.
      if (rows.length === 0) throw new NotFoundError('order', orderId)
      const events: OrderEvent[] = rows.map(toOrderEvent)
      return events
    },
  }
}
