/*
 * Timing: process.hrtime.bigint around every operation, a warm-up that is thrown away, then several
 * repetitions. Latency percentiles come from every operation of every repetition; throughput is
 * computed per repetition, so its spread shows how stable a cell is.
 */

/** How long and how often to run one cell. */
export interface MeasureOptions {
  /** Operations run first and not measured (JIT, plan caches, prepared statements, buffer cache). */
  readonly warmup: number
  /** Measured repetitions; at least five. */
  readonly reps: number
  /** Operations per repetition. */
  readonly opsPerRep: number
  /** Units of work per operation (orders per import in W5), for the throughput. @default 1 */
  readonly unitsPerOp?: number
}

/** One measured cell. */
export interface CellResult {
  /** Median latency of one operation, ms. */
  readonly medianMs: number
  /** 99th percentile latency of one operation, ms. */
  readonly p99Ms: number
  /** Units per second: the median of the repetitions' throughputs. */
  readonly perSecond: number
  /** (max − min) / median of the repetitions' throughputs, in percent. */
  readonly spreadPct: number
  /** Each repetition's throughput, units per second. */
  readonly repPerSecond: readonly number[]
  /** Data statements per operation (not counting BEGIN/COMMIT/ROLLBACK/SAVEPOINT). */
  readonly statementsPerOp: number
  /** Transaction control statements per operation (BEGIN, COMMIT, …) seen by the counter. */
  readonly controlPerOp: number
  /** Operations measured. */
  readonly ops: number
}

const CONTROL = /^\s*(begin|commit|rollback|savepoint|release|start transaction|set transaction)\b/i

/**
 * Counts the SQL statements an implementation sends: Knex's `query` event, Drizzle's logger or the raw
 * driver's own calls all feed {@link StatementCounter.record}.
 */
export class StatementCounter {
  data = 0
  control = 0
  /** The statements seen since the last reset, when tracing is on (for the verification print). */
  trace: string[] | undefined

  /** Records one statement sent to the database. */
  record(sql: string): void {
    if (CONTROL.test(sql)) this.control++
    else this.data++
    this.trace?.push(sql.replace(/\s+/g, ' ').slice(0, 160))
  }

  /** Records one BEGIN/COMMIT the driver sent without a logger seeing it (better-sqlite3 transactions). */
  recordControl(count = 1): void {
    this.control += count
  }

  reset(): void {
    this.data = 0
    this.control = 0
    if (this.trace) this.trace = []
  }
}

/** One implementation's operation in a side-by-side measurement; `op` gets a running index. */
export interface Contender<K extends string> {
  readonly key: K
  readonly op: (index: number) => Promise<void>
}

/** A cell that could not be measured. */
export interface FailedCell {
  readonly error: string
}

/**
 * Measures several implementations of one workload side by side: each warms up, then the repetitions
 * are interleaved (rep 1 of every implementation, then rep 2, …, the order rotating each time), so
 * background load or a checkpoint hits them all alike and the ratios stay fair on a busy machine.
 */
export async function measureSideBySide<K extends string>(
  contenders: readonly Contender<K>[],
  options: MeasureOptions,
  counter: StatementCounter,
): Promise<Map<K, CellResult | FailedCell>> {
  const unitsPerOp = options.unitsPerOp ?? 1
  const state = contenders.map((c) => ({
    ...c,
    index: 0,
    latencies: [] as number[],
    repPerSecond: [] as number[],
    data: 0,
    control: 0,
    error: undefined as string | undefined,
  }))
  const fail = (s: (typeof state)[number], error: unknown) => {
    s.error = error instanceof Error ? error.message.slice(0, 300) : String(error)
  }
  for (const s of state) {
    try {
      for (let i = 0; i < options.warmup; i++) await s.op(s.index++)
    } catch (error) {
      fail(s, error)
    }
  }
  for (let rep = 0; rep < options.reps; rep++) {
    for (let k = 0; k < state.length; k++) {
      const s = state[(k + rep) % state.length]
      if (!s || s.error !== undefined) continue
      counter.reset()
      try {
        const repStart = process.hrtime.bigint()
        for (let i = 0; i < options.opsPerRep; i++) {
          const start = process.hrtime.bigint()
          await s.op(s.index++)
          s.latencies.push(Number(process.hrtime.bigint() - start) / 1e6)
        }
        const repMs = Number(process.hrtime.bigint() - repStart) / 1e6
        s.repPerSecond.push((options.opsPerRep * unitsPerOp * 1000) / repMs)
        s.data += counter.data
        s.control += counter.control
      } catch (error) {
        fail(s, error)
      }
    }
  }
  const results = new Map<K, CellResult | FailedCell>()
  for (const s of state) {
    if (s.error !== undefined) {
      results.set(s.key, { error: s.error })
      continue
    }
    const ops = options.reps * options.opsPerRep
    const throughput = median(s.repPerSecond)
    results.set(s.key, {
      medianMs: percentile(s.latencies, 50),
      p99Ms: percentile(s.latencies, 99),
      perSecond: throughput,
      spreadPct: ((Math.max(...s.repPerSecond) - Math.min(...s.repPerSecond)) / throughput) * 100,
      repPerSecond: s.repPerSecond,
      statementsPerOp: s.data / ops,
      controlPerOp: s.control / ops,
      ops,
    })
  }
  return results
}

/** The nearest-rank percentile of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  if (sorted.length % 2 === 1) return sorted[mid] ?? Number.NaN
  return ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight, in order of start. */
export async function mapConcurrent<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T
      await fn(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}
