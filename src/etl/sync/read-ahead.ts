/**
 * The next page read and prepared (mapped, its rows built) while the current one is written: the
 * database works on page N while this process builds page N+1, instead of each waiting for the
 * other. Transactions stay one at a time and in order: only reading and building run ahead, so a
 * page still commits with its own resume cursor after the page before it.
 */
export async function* readAhead<T, R>(source: AsyncIterable<T>, prepare: (item: T) => R | Promise<R>): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const next = async (): Promise<{ value: R } | undefined> => {
    const item = await iterator.next();
    return item.done ? undefined : { value: await prepare(item.value) };
  };
  let ahead = next();
  // A failure ahead is the consumer's once it asks for that item; until then it is not "unhandled".
  ahead.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const current = await ahead;
      if (!current) {
        finished = true;
        return;
      }
      ahead = next();
      ahead.catch(() => undefined);
      yield current.value;
    }
  } finally {
    // Stopped early (the consumer failed or returned): the source is closed once its read in flight settles.
    if (!finished)
      await ahead.then(
        () => iterator.return?.(),
        () => undefined,
      );
  }
}

/**
 * Each item prepared when the consumer asks for it: for a database that writes in this process
 * (SQLite), where building ahead overlaps nothing and only holds one more page.
 */
export async function* inOrder<T, R>(source: AsyncIterable<T>, prepare: (item: T) => R | Promise<R>): AsyncGenerator<R> {
  for await (const item of source) yield await prepare(item);
}

/** Records mapped per slice before the event loop gets a turn. */
const SLICE = 100;

/**
 * `work` over items, yielding to the event loop between slices: a page built ahead in one piece
 * would run right after the current page's first statement was sent, while the database waits for
 * the next one; in slices it runs while the database works, and the current page goes on as soon
 * as its answer is in.
 */
export async function mapInSlices<T, R>(items: readonly T[], work: (item: T) => R): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (i > 0 && i % SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    results.push(work(items[i] as T));
  }
  return results;
}
