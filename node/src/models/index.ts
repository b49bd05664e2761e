// The embedded default model and its cache. File hashing and validation stay internal.
export { DEFAULT_MODEL, type DefaultModel } from "./default-model";
export { fetchDefaultModel, type FetchModelOptions, type FetchModelResult, type FetchStep } from "./fetch-model";
export { getCacheDir, getDefaultModelPath, getModelsDir, type CacheEnv } from "./model-cache";
