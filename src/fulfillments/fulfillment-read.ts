import type { Knex } from 'knex'
import { NotFoundError } from '../errors.js'
import type { Tables } from '../schema/tables.js'
import { identifier, queryRows, sqlText } from '../sql/statements.js'
import type { Fulfillment } from './fulfillment.js'
import { type FulfillmentLineRow, type FulfillmentRow, toFulfillment } from './fulfillment-row.js'

const LINE_ORDER = [
  { column: 'fulfillment_id', order: 'asc' },
  { column: 'position', order: 'asc' },
] as const

/** A fulfillment row with one of its lines, as {@link readFulfillmentRows} joins them. */
type JoinedLineRow = FulfillmentRow & {
  line_order_line_id: string | null
  line_position: number | null
  line_quantity: number | null
}

/**
 * One fulfillment's row and its line rows in position order, in one statement (a left join); `null`
 * when there is none.
 */
export async function readFulfillmentRows(
  db: Knex,
  tables: Tables,
  id: string,
): Promise<{ row: FulfillmentRow; lines: FulfillmentLineRow[] } | null> {
  const sql = sqlText(db, `fulfillment:${tables.fulfillments}:${tables.fulfillmentLines}`, () => {
    const q = (name: string) => identifier(db, name)
    const lineColumns = ['order_line_id', 'position', 'quantity']
      .map((column) => `fl.${q(column)} as ${q(`line_${column}`)}`)
      .join(', ')
    return (
      `select f.*, ${lineColumns} from ${q(tables.fulfillments)} f ` +
      `left join ${q(tables.fulfillmentLines)} fl on fl.${q('fulfillment_id')} = f.${q('id')} ` +
      `where f.${q('id')} = ? order by fl.${q('position')} asc`
    )
  })
  const rows = await queryRows<JoinedLineRow>(db, { sql, bindings: [id] })
  const [first] = rows
  if (first === undefined) return null
  const { line_order_line_id: _a, line_position: _b, line_quantity: _c, ...row } = first
  const lines = rows.flatMap((joined): FulfillmentLineRow[] =>
    joined.line_order_line_id === null
      ? []
      : [
          {
            fulfillment_id: row.id,
            order_line_id: joined.line_order_line_id,
            order_id: row.order_id,
            position: joined.line_position as number,
            quantity: joined.line_quantity as number,
          },
        ],
  )
  return { row, lines }
}

/** One fulfillment with its lines, in one statement; `null` when there is none. */
export async function readFulfillment(db: Knex, tables: Tables, id: string): Promise<Fulfillment | null> {
  const found = await readFulfillmentRows(db, tables, id)
  return found && toFulfillment(found.row, found.lines)
}

type ListedRow = { order_found: string } & { [K in keyof FulfillmentRow]: FulfillmentRow[K] | null }

/**
 * The order's fulfillments, oldest first, with their lines: one statement for the order and its
 * fulfillments (so a missing order is told from one without fulfillments), and one for every line of
 * them, by the order's index; none when there is no fulfillment.
 *
 * @throws `NOT_FOUND` when there is no such order
 */
export async function listFulfillments(db: Knex, tables: Tables, orderId: string): Promise<Fulfillment[]> {
  const rows = await queryRows<ListedRow>(
    db,
    db
      .select('o.id as order_found', 'f.*')
      .from({ o: tables.orders })
      .leftJoin({ f: tables.fulfillments }, 'f.order_id', 'o.id')
      .where('o.id', orderId)
      .orderBy([
        { column: 'f.created_at', order: 'asc' },
        { column: 'f.id', order: 'asc' },
      ]),
  )
  if (rows.length === 0) throw new NotFoundError('order', orderId)
  const fulfillments = rows.filter((row): row is ListedRow & FulfillmentRow => row.id !== null)
  if (fulfillments.length === 0) return []

  const lineRows = await queryRows<FulfillmentLineRow>(
    db,
    db<FulfillmentLineRow>(tables.fulfillmentLines)
      .where({ order_id: orderId })
      .orderBy([...LINE_ORDER]),
  )
  const byFulfillment = new Map<string, FulfillmentLineRow[]>(fulfillments.map((row) => [row.id, []]))
  for (const line of lineRows) byFulfillment.get(line.fulfillment_id)?.push(line)
  return fulfillments.map((row) => toFulfillment(row, byFulfillment.get(row.id) ?? []))
}
