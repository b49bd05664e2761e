// The embedded default model and its cache, and the checks a model file given by path passes on load. File
// hashing and validation of the cache stay internal.
export { DEFAULT_MODEL, type DefaultModel } from "./default-model";
export { fetchDefaultModel, type FetchModelOptions, type FetchModelResult, type FetchStep } from "./fetch-model";
export { getCacheDir, getDefaultModelPath, getModelsDir, type CacheEnv } from "./model-cache";
export { assertIsGgufModelFile, type ModelFileCheck } from "./model-file";
