export * from "./backend-error";
export * from "./chat-stream";
export * from "./inference-backend";
export * from "./llama-backend";
export * from "./llama-runtime";
export * from "./openai-backend";
export * from "./sse-parser";
