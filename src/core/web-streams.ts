// Web streams (what the age code and its callers exchange) to and from async iterables (what Node's streams and
// generators give), one chunk at a time so a large archive is never held in memory.

/** An async iterable as a web stream that pulls one chunk per read and passes a failure on as the stream's error. */
export function toWebStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await it.next();
        if (r.done) controller.close();
        else controller.enqueue(r.value);
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel(reason) { await it.return?.(reason); },
  }, { highWaterMark: 1 });
}

/** A web stream's chunks as an async generator (the reader is released however the loop ends). */
export async function* fromWebStream(s: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = s.getReader();
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}
