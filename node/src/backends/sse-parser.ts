/** Incremental parser of a `text/event-stream` body. */
export type SseParser = Readonly<{
  /** Feeds decoded text; returns the `data` of every event completed by it, in order. */
  push(text: string): string[];
  /** Ends the stream; returns the data of a last event that had no blank line after it. */
  end(): string[];
}>;

/**
 * Creates a server-sent-events parser that yields each event's `data` (multi-line data joined with `\n`).
 * Comments (`:`) and the `event`, `id` and `retry` fields are ignored; lines end with `\n` or `\r\n`.
 *
 * @example
 * const parser = createSseParser();
 * parser.push('data: {"a":1}\n\nda'); // ['{"a":1}']
 * parser.push("ta: [DONE]\n\n");      // ["[DONE]"]
 */
export function createSseParser(): SseParser {
  let pending = "";
  let data: string[] = [];

  const takeEvent = (events: string[]): void => {
    if (data.length > 0) events.push(data.join("\n"));
    data = [];
  };

  const readLine = (line: string, events: string[]): void => {
    if (line === "") return takeEvent(events);
    if (line.startsWith(":")) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== "data") return;
    const value = colon === -1 ? "" : line.slice(colon + 1);
    data.push(value.startsWith(" ") ? value.slice(1) : value);
  };

  return {
    push(text) {
      const events: string[] = [];
      const lines = (pending + text).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) readLine(line.endsWith("\r") ? line.slice(0, -1) : line, events);
      return events;
    },
    end() {
      const events: string[] = [];
      if (pending !== "") readLine(pending.endsWith("\r") ? pending.slice(0, -1) : pending, events);
      pending = "";
      takeEvent(events);
      return events;
    },
  };
}
