export * from "./metrics-server";
export * from "./node-metrics";
