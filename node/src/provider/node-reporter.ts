import type { NodeMetrics } from "../metrics/node-metrics";
import { describeError } from "./describe-error";
import { createEventHub, type EventHub } from "./event-hub";
import type { NodeEvent } from "./node-events";
import { formatNodeEvent } from "./node-log";

/** Where a node's events go: its metrics, its log and its listeners. */
export type NodeReporter = Readonly<{
  events: EventHub<NodeEvent>;
  /** Records `event` in the metrics, writes its log line (if it has one), then delivers it to listeners. */
  emit: (event: NodeEvent) => void;
}>;

/** The default log: stderr, one line per event with an ISO timestamp. */
export const logToStderr = (line: string): void => {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};

/**
 * Creates the node's single output path: every event updates `metrics`, is logged through `log` (`null`: no
 * log), then reaches `events` listeners; a listener that throws is logged, never rethrown into the node.
 *
 * @example
 * const { emit, events } = createNodeReporter(createNodeMetrics(), logToStderr);
 */
export function createNodeReporter(metrics: NodeMetrics, log: ((line: string) => void) | null): NodeReporter {
  const events = createEventHub<NodeEvent>({ onListenerError: (error) => log?.(`event listener failed: ${describeError(error)}`) });
  const emit = (event: NodeEvent): void => {
    metrics.record(event);
    const line = log ? formatNodeEvent(event) : null;
    if (line) log?.(line);
    events.emit(event);
  };
  return { events, emit };
}
