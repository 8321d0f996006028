import type { DatabaseName } from './databases.js'
import type { CellResult, FailedCell } from './harness.js'
import type { RssReport } from './rss.js'
import type { Verification } from './verify.js'
import type { ImplementationKey } from './workload.js'

/*
 * What a database's run produced, and how it is printed: one table per database, the W6 scale table,
 * then the issue's targets checked against the cells, the notes and the verification.
 */

/** W3's page size. */
export const PAGE = 50

/** The workloads of the main table, in print order, with their row titles. */
export const WORKLOADS = {
  W1: 'W1 create order',
  W2: 'W2 get order + lines',
  W3: `W3 list ${PAGE} + lines`,
  W4: 'W4 pending → paid',
  W5: 'W5 bulk import',
  W7: 'W7 capture + refund',
  W8: 'W8 fulfil + ship',
} as const
export type WorkloadKey = keyof typeof WORKLOADS

/** A measured cell, or why there is none. */
export type Cell = (CellResult & { ratioToBaseline: number | null }) | FailedCell
/** A row of a table: an implementation, or W5's loop of orders.create (the path before createMany). */
export type RowKey = ImplementationKey | 'checkout-store-create'
export type Cells = Partial<Record<RowKey, Cell>>

/** Everything one database's run measured and found. */
export interface DatabaseReport {
  name: DatabaseName
  label: string
  sizes: { small: number; large: number }
  cells: Partial<Record<WorkloadKey, Cells>>
  scale: {
    small: Partial<Record<'W2' | 'W3', Cells>>
    large: Partial<Record<'W2' | 'W3', Cells>>
  }
  verification: Verification
  /** The RSS step, when it ran. */
  rss?: RssReport
  notes: string[]
  seconds: { seedSmall: number; seedLarge: number; total: number }
}

/** The row titles of the implementations. */
export const LABELS: Record<RowKey, string> = {
  'checkout-store': '(a) checkout-store',
  'checkout-store-create': '(a) … one by one',
  knex: '(b) Knex baseline',
  raw: '(c) raw driver',
  objection: '(d) Objection',
  drizzle: '(d) Drizzle',
}

/** `n` with `digits` decimals, or a dash when it is not a number. */
export const fmt = (n: number, digits = 3): string => (Number.isFinite(n) ? n.toFixed(digits) : '—')
const pad = (s: string, width: number): string => s.padStart(width)

function cellLine(workload: string, key: RowKey, cell: Cell | undefined, unit = 'ops/s'): string {
  const head = `${workload.padEnd(24)}${LABELS[key].padEnd(20)}`
  if (!cell) return `${head}${pad('—', 10)}`
  if ('error' in cell) return `${head}  error: ${cell.error}`
  const statements = `${fmt(cell.statementsPerOp, cell.statementsPerOp % 1 === 0 ? 0 : 2)}${
    cell.controlPerOp > 0 ? ` (+${fmt(cell.controlPerOp, cell.controlPerOp % 1 === 0 ? 0 : 2)} tx)` : ''
  }`
  return (
    head +
    pad(fmt(cell.medianMs), 10) +
    pad(fmt(cell.p99Ms), 10) +
    pad(`${Math.round(cell.perSecond).toLocaleString('en')} ${unit === 'ops/s' ? '' : 'o/s'}`.trim(), 12) +
    pad(`±${fmt(cell.spreadPct / 2, 1)}%`, 9) +
    pad(cell.ratioToBaseline === null ? '—' : `${fmt(cell.ratioToBaseline, 2)}×`, 8) +
    `  ${statements}`
  )
}

/** One database's tables, targets, notes and verification, as printed and stored in latest.json. */
export function printDatabase(report: DatabaseReport, keys: readonly ImplementationKey[]): string {
  const out: string[] = []
  out.push('')
  out.push(
    `${report.label}: ${report.sizes.small.toLocaleString('en')} orders for W1–W5; W6 at ${report.sizes.small.toLocaleString('en')} and ${report.sizes.large.toLocaleString('en')}`,
  )
  out.push(
    `${'workload'.padEnd(24)}${'implementation'.padEnd(20)}${pad('median ms', 10)}${pad('p99 ms', 10)}${pad('ops/s', 12)}${pad('spread', 9)}${pad('vs (b)', 8)}  SQL/op`,
  )
  for (const workload of Object.keys(WORKLOADS) as WorkloadKey[]) {
    const cells = report.cells[workload] ?? {}
    const rows: RowKey[] = keys.flatMap((key): RowKey[] =>
      key === 'checkout-store' ? ['checkout-store', 'checkout-store-create'] : [key],
    )
    for (const key of rows) {
      if (!(key in cells)) continue
      out.push(cellLine(WORKLOADS[workload], key, cells[key], workload === 'W5' ? 'orders/s' : 'ops/s'))
    }
  }
  out.push('')
  out.push(
    `W6 scale: median ms at ${report.sizes.small.toLocaleString('en')} → ${report.sizes.large.toLocaleString('en')} orders (ratio large/small)`,
  )
  out.push(
    `${'implementation'.padEnd(20)}${pad('W2 small', 10)}${pad('W2 large', 10)}${pad('ratio', 8)}${pad('W3 small', 10)}${pad('W3 large', 10)}${pad('ratio', 8)}`,
  )
  for (const key of keys) {
    const row = [LABELS[key].padEnd(20)]
    for (const w of ['W2', 'W3'] as const) {
      const a = report.scale.small[w]?.[key]
      const b = report.scale.large[w]?.[key]
      const ok = a && b && !('error' in a) && !('error' in b)
      row.push(pad(a && !('error' in a) ? fmt(a.medianMs) : 'err', 10))
      row.push(pad(b && !('error' in b) ? fmt(b.medianMs) : 'err', 10))
      row.push(pad(ok ? `${fmt(b.medianMs / a.medianMs, 2)}×` : '—', 8))
    }
    out.push(row.join(''))
  }
  if (report.rss) out.push('', rssLine(report.rss))
  out.push('')
  out.push(...targets(report).map((t) => `  ${t}`))
  for (const note of report.notes) out.push(`  note: ${note}`)
  if (report.verification.problems.length > 0) {
    out.push('  verification problems:')
    for (const p of report.verification.problems) out.push(`    ${p}`)
  } else out.push('  verification: every implementation stored the same rows and read the same shapes')
  out.push(
    `  time: seed ${fmt(report.seconds.seedSmall, 1)} s + ${fmt(report.seconds.seedLarge, 1)} s, database total ${fmt(report.seconds.total, 1)} s`,
  )
  return out.join('\n')
}

/**
 * The issue's bounds: (a) at most the Knex floor's median (W1–W4, W7, W8) and faster than both peers
 * there; and, where the issue names one, a bound over the raw driver on W1 and W2.
 */
export const TARGETS = {
  vsKnex: 1.0,
  vsRaw: { sqlite: 2.0, postgresql: 1.3 } as Partial<Record<DatabaseName, number>>,
} as const

/** True when every value is there and passes; undefined when one is missing (not measured). */
function all(
  values: ReadonlyArray<number | undefined>,
  pass: (value: number) => boolean,
): boolean | undefined {
  if (values.some((v) => v === undefined)) return undefined
  return values.every((v) => pass(v as number))
}

function rssLine(rss: RssReport): string {
  const growth = rss.afterMb - rss.beforeMb
  return (
    `RSS after ${rss.creates.toLocaleString('en')} orders.create of (a), ${rss.concurrency} in flight, ${fmt(rss.seconds, 1)} s: ` +
    `${fmt(rss.afterMb, 1)} MB (before ${fmt(rss.beforeMb, 1)} MB, ${growth >= 0 ? '+' : ''}${fmt(growth, 1)} MB; ` +
    `by tenths ${rss.tenthsMb.map((m) => fmt(m, 0)).join(' ')}; heap ${fmt(rss.heapUsedMb, 1)} MB; process peak ${fmt(rss.peakMb, 1)} MB)`
  )
}

function ok(value: boolean | undefined): string {
  return value === undefined ? '?' : value ? 'PASS' : 'MISS'
}

/** The issue's targets, checked on one database. */
function targets(report: DatabaseReport): string[] {
  const cell = (w: WorkloadKey, key: ImplementationKey) => {
    const c = report.cells[w]?.[key]
    return c && !('error' in c) ? c : undefined
  }
  const lines: string[] = []
  const a = (w: WorkloadKey) => cell(w, 'checkout-store')
  // (a)/(b): the median over the Knex floor's, on the workloads every implementation writes or reads.
  for (const group of [
    ['W1', 'W2', 'W3', 'W4'],
    ['W7', 'W8'],
  ] as const) {
    const ratios = group.map((w) => [w, a(w)?.ratioToBaseline ?? undefined] as const)
    lines.push(
      `${ok(
        all(
          ratios.map(([, r]) => r),
          (r) => r <= TARGETS.vsKnex,
        ),
      )}  (a)/(b) ≤ ${fmt(TARGETS.vsKnex, 1)} on ${group.length === 4 ? 'W1–W4' : group.join(' and ')}: ${ratios.map(([w, r]) => `${w} ${r === undefined ? '—' : fmt(r, 2)}`).join(', ')}`,
    )
  }
  for (const w of ['W1', 'W2', 'W3', 'W4', 'W7', 'W8'] as const) {
    const median = a(w)?.medianMs
    const peers = [cell(w, 'objection')?.medianMs, cell(w, 'drizzle')?.medianMs]
    const pass = median === undefined ? undefined : all(peers, (p) => median < p)
    lines.push(
      `${ok(pass)}  (a) faster than both peers on ${w}: ${fmt(median ?? Number.NaN)} ms vs Objection ${fmt(peers[0] ?? Number.NaN)}, Drizzle ${fmt(peers[1] ?? Number.NaN)}`,
    )
  }
  // (a) over the raw driver's prepared statements, where the issue sets a bound for the database.
  const rawLimit = TARGETS.vsRaw[report.name]
  if (rawLimit !== undefined) {
    const ratios = (['W1', 'W2'] as const).map((w) => {
      const raw = cell(w, 'raw')?.medianMs
      const median = a(w)?.medianMs
      return [w, raw === undefined || median === undefined ? undefined : median / raw] as const
    })
    lines.push(
      `${ok(
        all(
          ratios.map(([, r]) => r),
          (r) => r <= rawLimit,
        ),
      )}  (a)/(c) ≤ ${fmt(rawLimit, 1)} on W1 and W2: ${ratios.map(([w, r]) => `${w} ${r === undefined ? '—' : fmt(r, 2)}`).join(', ')}`,
    )
  }
  const w1 = cell('W1', 'checkout-store')
  lines.push(
    `${ok(w1 && w1.statementsPerOp <= 5 && w1.controlPerOp <= 2)}  W1 ≤ 5 statements in one transaction: ${w1 ? `${fmt(w1.statementsPerOp, 2)} + ${fmt(w1.controlPerOp, 2)} tx control` : '—'}`,
  )
  const pages = report.verification.listStatementsByPageSize['checkout-store']
  const w2 = cell('W2', 'checkout-store')
  lines.push(
    `${ok(w2 && w2.statementsPerOp <= 2 && pages !== undefined && Object.values(pages).every((n) => n <= 2))}  W2 and W3 ≤ 2 statements at any page size: W2 ${w2 ? fmt(w2.statementsPerOp, 2) : '—'}, W3 by page size ${
      pages
        ? Object.entries(pages)
            .map(([size, n]) => `${size}: ${n}`)
            .join(', ')
        : '—'
    }`,
  )
  for (const w of ['W2', 'W3'] as const) {
    const a = report.scale.small[w]?.['checkout-store']
    const b = report.scale.large[w]?.['checkout-store']
    const ratio = a && b && !('error' in a) && !('error' in b) ? b.medianMs / a.medianMs : undefined
    lines.push(
      `${ok(ratio === undefined ? undefined : ratio <= 1.5)}  W6 ${w} large/small ≤ 1.5: ${ratio === undefined ? '—' : fmt(ratio, 2)}`,
    )
  }
  return lines
}
