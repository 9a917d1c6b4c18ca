/**
 * The next page read and prepared (mapped, its rows built) while the current one is written: the
 * database works on page N while this process builds page N+1, instead of each waiting for the
 * other. Transactions stay one at a time and in order: only reading and building run ahead, so a
 * page still commits with its own resume cursor after the page before it.
 */
export async function* readAhead<T, R>(source: AsyncIterable<T>, prepare: (item: T) => R): AsyncGenerator<R> {
  const iterator = source[Symbol.asyncIterator]();
  const next = async (): Promise<{ value: R } | undefined> => {
    const item = await iterator.next();
    return item.done ? undefined : { value: prepare(item.value) };
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
