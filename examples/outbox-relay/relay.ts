import type { CheckoutStore, OutboxEvent } from '../../src/index.js'

/*
 * A relay moves committed outbox events to a downstream system: claim a batch, deliver it, ack it. If
 * delivery fails, or the process dies before the ack, nothing is acked and the events come back after
 * their lease, to this relay or another one: delivery is at least once, so the receiving side
 * de-duplicates on the event id (both deliveries below pass it on as the idempotency key).
 *
 * In an application, import the store from 'checkout-store'; here the types come from the sources.
 */

/** Sends a batch of events downstream; throws when any of them was not accepted. */
export type Delivery = (events: readonly OutboxEvent[]) => Promise<void>

/** What one relay pass claims. */
export interface RelayOptions {
  /** Events per batch. */
  readonly limit?: number
  /** How long a batch is ours: longer than delivery with all its retries takes. */
  readonly leaseMs?: number
}

/**
 * One pass: claims a batch, delivers it, acks it.
 *
 * @returns how many events were delivered and acked (0 when there was nothing to do)
 */
export async function relayOnce(
  store: Pick<CheckoutStore, 'outbox'>,
  deliver: Delivery,
  { limit = 100, leaseMs = 60_000 }: RelayOptions = {},
): Promise<number> {
  const batch = await store.outbox.claim({ limit, leaseMs })
  if (batch.length === 0) return 0
  await deliver(batch) // throws: no ack, the batch comes back after its lease
  await store.outbox.ack(batch.map((event) => event.id))
  return batch.length
}

/**
 * Relays until `signal` aborts: passes back to back while there is work, a pause of `idleMs` when there
 * is none, and after a failed pass (the failure goes to `onError`; its events come back after the lease).
 */
export async function runRelay(
  store: Pick<CheckoutStore, 'outbox'>,
  deliver: Delivery,
  options: RelayOptions & { idleMs?: number; signal: AbortSignal; onError?: (error: unknown) => void },
): Promise<void> {
  const idleMs = options.idleMs ?? 1000
  while (!options.signal.aborted) {
    let relayed = 0
    try {
      relayed = await relayOnce(store, deliver, options)
    } catch (error) {
      options.onError?.(error)
    }
    if (relayed === 0) await sleep(idleMs)
  }
}

/** Options of {@link webhookDelivery}. */
export interface WebhookOptions {
  /** Tries per event, the first included. */
  readonly attempts?: number
  /** Delay before the first retry; each further retry waits twice as long. */
  readonly retryDelayMs?: number
  /** Extra headers, such as a signature or an authorization token. */
  readonly headers?: Record<string, string>
}

/**
 * Delivers each event as one JSON POST to `url`, in batch order, with the event id as `Idempotency-Key`.
 * A network error, a 5xx or a 429 is retried with exponential backoff; any other non-2xx answer, or the
 * last failed try, throws and so leaves the batch unacked.
 */
export function webhookDelivery(url: string, options: WebhookOptions = {}): Delivery {
  const attempts = options.attempts ?? 5
  const retryDelayMs = options.retryDelayMs ?? 200
  const post = async (event: OutboxEvent): Promise<number> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': event.id, ...options.headers },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(10_000),
    })
    await response.body?.cancel()
    return response.status
  }
  return async (events) => {
    for (const event of events) {
      for (let attempt = 1; ; attempt++) {
        const status = await post(event).catch(() => 0) // 0: no answer (network error, timeout)
        if (status >= 200 && status < 300) break
        const retriable = status === 0 || status >= 500 || status === 429
        if (!retriable || attempt >= attempts) {
          throw new Error(`webhook delivery of event ${event.id} failed: ${status || 'no answer'}`)
        }
        await sleep(retryDelayMs * 2 ** (attempt - 1))
      }
    }
  }
}

/** The part of a pg-boss instance the delivery needs (`PgBoss` from 'pg-boss'). */
export interface PgBossLike {
  insert(jobs: Array<{ id: string; name: string; data: object }>): Promise<void>
}

/**
 * Delivers a batch as jobs of the pg-boss queue `queue` (created beforehand with `boss.createQueue`),
 * in one INSERT. Each job's id is the event's id and pg-boss inserts with ON CONFLICT DO NOTHING, so a
 * batch delivered twice (the relay died between insert and ack) leaves one job per event.
 */
export function pgBossDelivery(boss: PgBossLike, queue: string): Delivery {
  return async (events) => {
    await boss.insert(events.map((event) => ({ id: event.id, name: queue, data: { ...event } })))
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
