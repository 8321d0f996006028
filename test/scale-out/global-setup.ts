import { script } from './clusters.js'

/*
 * The scale-out suite starts both topologies itself and stops them after, so that they run only while
 * it does (three MariaDB nodes and two PostgreSQL servers are not light on a small machine).
 */
export async function setup(): Promise<() => Promise<void>> {
  const started = await Promise.allSettled([script('galera.sh', 'start'), script('pg-replica.sh', 'start')])
  const stop = async () => {
    await Promise.allSettled([script('galera.sh', 'stop'), script('pg-replica.sh', 'stop')])
  }
  const failed = started.find((s) => s.status === 'rejected')
  if (failed) {
    await stop()
    throw failed.reason
  }
  return stop
}
