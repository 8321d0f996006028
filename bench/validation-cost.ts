import knex from 'knex'

// The built package, as a user imports it (`npm run bench` builds first), typed from the source.
const PACKAGE: string = '../dist/index.js'
const { createCheckoutStore } = (await import(PACKAGE)) as typeof import('../src/index.js')

/*
 * What checking an input costs, by its size: each call below is refused by validation before the
 * database is touched, so its time is the whole gate (snapshot, card-data search, schema). The inputs
 * are the worst cases known: digits and single spaces (every character a digit-group boundary, and what
 * made the old phone pattern backtrack quadratically), in a phone, an order line's name and a metadata key.
 * Linear cost shows as a steady time per KB across the sizes.
 */

const SIZES = [1024, 10 * 1024, 100 * 1024, 1024 * 1024]
const REPETITIONS = 5

/** One row: the median milliseconds of each kind of input at each size. */
export interface ValidationCost {
  readonly input: string
  /** Median milliseconds per call, by size in bytes. */
  readonly medianMs: Readonly<Record<number, number>>
}

/** Measures the gate's cost per input size through the built package, on an in-memory SQLite store. */
export async function measureValidationCost(): Promise<ValidationCost[]> {
  const db = knex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true })
  try {
    const store = createCheckoutStore(db)
    await store.migrate()
    const order = (name: string) => ({
      email: 'bench@example.com',
      currency: 'USD',
      items: [{ sku: 'S', name, quantity: 1, unitPrice: 100 }],
    })
    const inputs: [string, (text: string) => Promise<unknown>][] = [
      [
        'customers.create phone',
        (text) => store.customers.create({ email: 'bench@example.com', phone: text }),
      ],
      ['orders.create line name', (text) => store.orders.create(order(text))],
      [
        'customers.create metadata key',
        (text) => store.customers.create({ email: 'b@example.com', metadata: { [text]: 'x' } }),
      ],
    ]
    const rows: ValidationCost[] = []
    for (const [input, call] of inputs) {
      const medianMs: Record<number, number> = {}
      for (const size of SIZES) {
        const text = '1 '.repeat(size / 2)
        const times: number[] = []
        for (let repetition = 0; repetition <= REPETITIONS; repetition++) {
          const started = process.hrtime.bigint()
          const refused = await call(text).then(
            () => false,
            () => true,
          )
          if (!refused) throw new Error(`${input} accepted ${size} bytes`)
          // The first call warms up and is not counted.
          if (repetition > 0) times.push(Number(process.hrtime.bigint() - started) / 1e6)
        }
        times.sort((a, b) => a - b)
        medianMs[size] = times[Math.floor(times.length / 2)] as number
      }
      rows.push({ input, medianMs })
    }
    return rows
  } finally {
    await db.destroy()
  }
}

/** The table as printed, one row per input: median ms at each size, and µs per KB at 1 MB. */
export function printValidationCost(rows: readonly ValidationCost[]): string {
  const header = `| input | ${SIZES.map((size) => `${size / 1024} KB`).join(' | ')} | µs/KB at 1 MB |`
  const lines = [
    'Validation cost (median ms per refused call, digits and spaces):',
    header,
    `|${' --- |'.repeat(SIZES.length + 2)}`,
  ]
  for (const row of rows) {
    const cells = SIZES.map((size) => (row.medianMs[size] ?? 0).toFixed(2))
    const perKb = (((row.medianMs[1024 * 1024] ?? 0) * 1000) / 1024).toFixed(1)
    lines.push(`| ${row.input} | ${cells.join(' | ')} | ${perKb} |`)
  }
  return lines.join('\n')
}
