/** One page of a list, newest first. Pass `nextCursor` back as `cursor` for the next page. */
export interface Page<T> {
  /** The records on this page. */
  items: T[]
  /** Opaque cursor for the next page, or `null` when this is the last page. */
  nextCursor: string | null
}
