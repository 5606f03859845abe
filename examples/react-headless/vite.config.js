import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Nothing session-guard specific: the defaults bundle it, wasm included.
export default defineConfig({
  plugins: [react()],
  build: {
    // top-level await in main.jsx (every browser that runs WebAssembly ES modules has it)
    target: "es2022",
  },
});
