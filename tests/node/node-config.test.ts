/** Node configuration: the JSON config file, Solana CLI conventions for `--url` and `--keypair`. */
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSigner } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__NODE__CONFIG_INVALID,
  CHAINFERENCE_ERROR__NODE__CONFIG_MISSING,
  CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID,
  CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING,
  CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER,
  DEFAULT_MODEL,
  defaultNodeConfig,
  expandHome,
  getDefaultKeypairPath,
  getSolanaCliConfigPath,
  isChainferenceNodeError,
  loadKeypairSigner,
  loadNodeConfig,
  parseNodeConfig,
  parseSolanaCliConfig,
  readSolanaCliConfig,
  resolveClusterUrl,
  resolveSolanaSettings,
} from "@chainference/node";

import { scratchDir } from "../helpers/provider-harness";

let dir: string;
beforeAll(async () => {
  dir = await scratchDir("chainference-config-");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const nodeErrorCode = (fn: () => unknown): number | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return isChainferenceNodeError(e) ? e.code : -1;
  }
};

describe("cluster URLs", () => {
  it("resolves the Solana CLI's monikers and their first letters", () => {
    expect(resolveClusterUrl("localnet")).toBe("http://127.0.0.1:8899");
    expect(resolveClusterUrl("d")).toBe("https://api.devnet.solana.com");
    expect(resolveClusterUrl("testnet")).toBe("https://api.testnet.solana.com");
    expect(resolveClusterUrl("m")).toBe("https://api.mainnet-beta.solana.com");
  });

  it("passes URLs through and rejects anything else with a named error", () => {
    expect(resolveClusterUrl("http://10.0.0.2:8899")).toBe("http://10.0.0.2:8899");
    expect(nodeErrorCode(() => resolveClusterUrl("devnett"))).toBe(CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER);
  });
});

describe("Solana CLI config and keypair", () => {
  it("reads json_rpc_url and keypair_path from the CLI's YAML, skipping nested maps and empty values", () => {
    const yaml = `---\njson_rpc_url: "https://api.devnet.solana.com"\nwebsocket_url: ''\nkeypair_path: /home/op/.config/solana/id.json\naddress_labels:\n  "11111111111111111111111111111111": System Program\ncommitment: confirmed\n`;
    expect(parseSolanaCliConfig(yaml)).toEqual({
      jsonRpcUrl: "https://api.devnet.solana.com",
      keypairPath: "/home/op/.config/solana/id.json",
    });
    expect(parseSolanaCliConfig("json_rpc_url: ''\n")).toEqual({});
  });

  it("uses the Solana CLI's paths under the home directory", () => {
    expect(getDefaultKeypairPath("/home/op")).toBe("/home/op/.config/solana/id.json");
    expect(getSolanaCliConfigPath("/home/op")).toBe("/home/op/.config/solana/cli/config.yml");
    expect(expandHome("~/x.json", "/home/op")).toBe("/home/op/x.json");
  });

  it("applies flag > CLI config > default precedence", async () => {
    const cli = { jsonRpcUrl: "https://api.devnet.solana.com", keypairPath: "~/cli.json" };
    const fromFlags = await resolveSolanaSettings({ url: "t", keypair: "/k.json" }, cli);
    expect(fromFlags).toMatchObject({
      url: "https://api.testnet.solana.com",
      keypairPath: "/k.json",
      sources: { url: "flag", keypair: "flag" },
    });
    const fromCli = await resolveSolanaSettings({}, cli);
    expect(fromCli.url).toBe("https://api.devnet.solana.com");
    expect(fromCli.keypairPath).toBe(expandHome("~/cli.json"));
    expect(fromCli.sources).toEqual({ url: "solana-cli-config", keypair: "solana-cli-config" });
    const defaults = await resolveSolanaSettings({}, null);
    expect(defaults).toMatchObject({
      url: "http://127.0.0.1:8899",
      keypairPath: getDefaultKeypairPath(),
      sources: { url: "default", keypair: "default" },
    });
  });

  it("returns null for a missing CLI config file", async () => {
    expect(await readSolanaCliConfig(join(dir, "nope.yml"))).toBeNull();
  });

  it("loads a solana-keygen keypair file as a signer with the same address", async () => {
    // Given a keypair file in the Solana CLI's format (64-byte JSON array) written from a known key
    const { getBase58Encoder } = await import("@solana/kit");
    const reference = await generateKeyPairSigner(true);
    const secret = new Uint8Array(await crypto.subtle.exportKey("pkcs8", reference.keyPair.privateKey)).slice(-32);
    const bytes = [...secret, ...getBase58Encoder().encode(reference.address)];
    const path = join(dir, "id.json");
    await writeFile(path, JSON.stringify(bytes));
    // When loading it / Then the signer has that address
    expect((await loadKeypairSigner(path)).address).toBe(reference.address);
  });

  it("names what is wrong with a missing, malformed or mismatched keypair file", async () => {
    await expect(loadKeypairSigner(join(dir, "missing.json"))).rejects.toMatchObject({ code: CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING });
    const short = join(dir, "short.json");
    await writeFile(short, JSON.stringify([1, 2, 3]));
    await expect(loadKeypairSigner(short)).rejects.toMatchObject({ code: CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID });
    const mismatched = join(dir, "mismatched.json");
    await writeFile(mismatched, JSON.stringify(Array.from({ length: 64 }, (_, i) => i)));
    await expect(loadKeypairSigner(mismatched)).rejects.toMatchObject({ code: CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID });
  });
});

describe("node config file", () => {
  it("defaults to the embedded model with its id, revision and quantization", async () => {
    const config = await loadNodeConfig();
    expect(config).toEqual(defaultNodeConfig());
    expect(config.models).toEqual([
      expect.objectContaining({
        hfId: DEFAULT_MODEL.hfId,
        revision: DEFAULT_MODEL.revision,
        quantization: DEFAULT_MODEL.quantization,
        backend: { kind: "embedded" },
      }),
    ]);
  });

  it("reads a config file, fills in defaults, accepts prices as strings", async () => {
    const path = join(dir, "node.json");
    await writeFile(
      path,
      JSON.stringify({
        concurrency: 8,
        flush: { intervalMs: 250, firstChunkTokens: 2 },
        metricsPort: 9464,
        models: [
          {
            hfId: "Qwen/Qwen2.5-0.5B-Instruct-GGUF",
            revision: "main",
            quantization: "Q4_K_M",
            priceIn: "2000000",
            priceOut: 9000000,
            maxContext: 4096,
            backend: { kind: "openai", baseUrl: "http://127.0.0.1:8080", model: "qwen", apiKeyEnv: "LLAMA_KEY" },
          },
        ],
      }),
    );
    const config = await loadNodeConfig(path);
    expect(config.concurrency).toBe(8);
    expect(config.flush).toEqual({ intervalMs: 250, maxChunkBytes: 900, firstChunkTokens: 2 });
    expect(config.metricsPort).toBe(9464);
    expect(config.models[0]).toMatchObject({
      priceIn: 2_000_000n,
      priceOut: 9_000_000n,
      backend: { kind: "openai", apiKeyEnv: "LLAMA_KEY" },
    });
    expect(config.maxOutputTokens).toBe(defaultNodeConfig().maxOutputTokens);
  });

  it("rejects unknown fields, bad model ids, duplicate models and out-of-range values, naming the field", () => {
    const invalid = (doc: unknown) => {
      try {
        parseNodeConfig(doc, "node.json");
        return null;
      } catch (e) {
        return isChainferenceNodeError(e, CHAINFERENCE_ERROR__NODE__CONFIG_INVALID) ? e.message : "other error";
      }
    };
    expect(invalid({ concurency: 2 })).toMatch(/unknown field "concurency"/);
    expect(invalid({ models: [{ hfId: "no-slash", priceIn: 0, priceOut: 0 }] })).toMatch(/models\[0\]\.hfId/);
    const model = { hfId: "org/model", priceIn: 0, priceOut: 0, backend: { kind: "openai", baseUrl: "http://x", model: "m" } };
    expect(invalid({ models: [model, model] })).toMatch(/twice/);
    expect(invalid({ concurrency: 0 })).toMatch(/concurrency/);
    expect(invalid({ models: [{ ...model, priceOut: -1 }] })).toMatch(/priceOut/);
    expect(invalid({ models: [{ ...model, backend: { kind: "gpu" } }] })).toMatch(/kind/);
    expect(invalid({ minOutputTokens: 600, maxOutputTokens: 500 })).toMatch(/minOutputTokens/);
    expect(invalid({ flush: { firstChunkTokens: 0 } })).toMatch(/flush\.firstChunkTokens/);
  });

  it("reads the GPU choice and an embedded model's file, slot and offload settings", () => {
    // Given a GGUF by path with its hash, on a forced CUDA build
    const sha256 = "AB".repeat(32);
    const config = parseNodeConfig({
      gpu: "cuda",
      models: [
        {
          hfId: "Qwen/Qwen2.5-7B-Instruct-GGUF",
          quantization: "Q4_K_M",
          priceIn: 0,
          priceOut: 0,
          backend: {
            kind: "embedded",
            modelPath: "/models/q.gguf",
            sha256,
            sizeBytes: 4_683_073_952,
            slots: 16,
            batchSize: 1024,
            gpuLayers: "max",
          },
        },
      ],
    });
    // Then every setting is kept (the hash in lowercase) and the GPU default is auto
    expect(config.gpu).toBe("cuda");
    expect(config.models[0]!.backend).toEqual({
      kind: "embedded",
      modelPath: "/models/q.gguf",
      sha256: sha256.toLowerCase(),
      sizeBytes: 4_683_073_952,
      slots: 16,
      batchSize: 1024,
      gpuLayers: "max",
    });
    expect(parseNodeConfig({}).gpu).toBe("auto");
  });

  it("rejects an unknown GPU, a malformed hash, and a hash without a model path", () => {
    const reason = (doc: unknown) => {
      try {
        parseNodeConfig(doc, "node.json");
        return null;
      } catch (e) {
        return isChainferenceNodeError(e, CHAINFERENCE_ERROR__NODE__CONFIG_INVALID) ? e.message : "other error";
      }
    };
    const embedded = (backend: object) => ({
      models: [{ hfId: "org/model", priceIn: 0, priceOut: 0, backend: { kind: "embedded", ...backend } }],
    });
    expect(reason({ gpu: "rocm" })).toMatch(/gpu must be one of auto, cuda, vulkan, cpu/);
    expect(reason(embedded({ modelPath: "/m.gguf", sha256: "abc" }))).toMatch(/sha256 must be 64 hex digits/);
    expect(reason(embedded({ sha256: "a".repeat(64) }))).toMatch(/check a modelPath file/);
    expect(reason(embedded({ modelPath: "/m.gguf", slots: 0 }))).toMatch(/slots/);
    expect(reason(embedded({ modelPath: "/m.gguf", gpuLayers: "most" }))).toMatch(/gpuLayers/);
  });

  it("says when the config file does not exist", async () => {
    await expect(loadNodeConfig(join(dir, "absent.json"))).rejects.toMatchObject({ code: CHAINFERENCE_ERROR__NODE__CONFIG_MISSING });
  });
});
