export * from "./history";
export * from "./model-id";
export * from "./post-request";
export * from "./request-account";
export * from "./request-actions";
export * from "./response-address";
export * from "./settlement";
export * from "./watch-response";
