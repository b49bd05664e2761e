import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The SDK from its TypeScript sources (as the tests use it), so the app needs no package build first.
const sdk = fileURLToPath(new URL("../clients/js/src/index.ts", import.meta.url));
const sdkWallet = fileURLToPath(new URL("../clients/js/src/wallet/index.ts", import.meta.url));
const sdkSessions = fileURLToPath(new URL("../clients/js/src/sessions/index.ts", import.meta.url));

export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^@chainference\/client\/wallet$/, replacement: sdkWallet },
      { find: /^@chainference\/client\/sessions$/, replacement: sdkSessions },
      { find: /^@chainference\/client$/, replacement: sdk },
    ],
  },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, reportCompressedSize: false },
  server: { host: "127.0.0.1", port: 5173 },
});
