/** A Server-Sent Events reader over a `fetch` body (browsers and Node 20; internal). Lines end in `\n` (a `\r` before it is dropped). */

/** One event: its `event:` name (default `message`) and its `data:` lines joined by `\n`. */
export type ServerSentEvent = Readonly<{ event: string; data: string }>;

/**
 * Yields the events of an SSE body in order; comments and `id:`/`retry:` fields are ignored. An event cut off by
 * the end of the body is dropped (the caller notices what is missing).
 */
export async function* readServerSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let event = "message";
  let data: string[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, "");
        buffer = buffer.slice(newline + 1);
        if (line === "") {
          if (data.length > 0) yield { event, data: data.join("\n") };
          event = "message";
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const rest = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = rest;
        else if (field === "data") data.push(rest);
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
