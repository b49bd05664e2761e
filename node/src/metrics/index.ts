// Counters derived from node events, and their Prometheus endpoint.
export { startMetricsServer, type MetricsServer } from "./metrics-server";
export { createNodeMetrics, type MetricsBackend, type NodeMetrics, type NodeMetricsSnapshot } from "./node-metrics";
