import { defineConfig } from "vite";

// Nothing session-guard specific: the defaults bundle it, wasm included.
export default defineConfig({
  build: {
    // top-level await in main.js (every browser that runs WebAssembly ES modules has it)
    target: "es2022",
  },
});
