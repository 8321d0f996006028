import type { BenchDatabase } from './databases.js'
import { createOrders, importConcurrency } from './impl/checkout-store.js'
import type { BenchOrderInput } from './workload.js'

/*
 * The RSS step: the process's resident memory before, during and after a long run of orders.create
 * calls of checkout-store, so a cache or a listener that grows with every call shows as RSS that keeps
 * climbing. The bench process holds every implementation and the drivers, so the figure that matters is
 * the growth over the run, not the level.
 */

/** What the RSS step measured. */
export interface RssReport {
  /** orders.create calls made. */
  readonly creates: number
  /** Calls in flight. */
  readonly concurrency: number
  readonly seconds: number
  /** RSS before the first call, MB. */
  readonly beforeMb: number
  /** RSS after the last call, MB. */
  readonly afterMb: number
  /** RSS after each tenth of the calls, MB. */
  readonly tenthsMb: readonly number[]
  /** V8's heap in use after the last call, MB. */
  readonly heapUsedMb: number
  /** The process's peak RSS so far (the whole run, not only this step), MB. */
  readonly peakMb: number
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10

/** Runs `creates` orders.create calls in tenths, sampling RSS before, after each tenth and at the end. */
export async function measureCreateRss(
  db: BenchDatabase,
  creates: number,
  input: (index: number) => BenchOrderInput,
): Promise<RssReport> {
  const started = process.hrtime.bigint()
  const beforeMb = mb(process.memoryUsage().rss)
  const tenthsMb: number[] = []
  let done = 0
  for (let tenth = 1; tenth <= 10; tenth++) {
    const until = Math.round((creates * tenth) / 10)
    const from = done
    await createOrders(db, until - from, (i) => input(from + i))
    done = until
    tenthsMb.push(mb(process.memoryUsage().rss))
  }
  const memory = process.memoryUsage()
  return {
    creates,
    concurrency: importConcurrency(db),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    beforeMb,
    afterMb: mb(memory.rss),
    tenthsMb,
    heapUsedMb: mb(memory.heapUsed),
    // resourceUsage reports kilobytes.
    peakMb: mb(process.resourceUsage().maxRSS * 1024),
  }
}
