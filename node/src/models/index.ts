export * from "./default-model";
export * from "./fetch-model";
export * from "./model-cache";
