import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

// Nothing session-guard specific: the defaults bundle it, wasm included. The .vue file is
// compiled at build time, so the page needs no 'unsafe-eval'.
export default defineConfig({
  plugins: [vue()],
  build: {
    // top-level await in main.js (every browser that runs WebAssembly ES modules has it)
    target: "es2022",
  },
});
