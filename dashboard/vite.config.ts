import { defineConfig } from 'vite';

/**
 * Builds the operator dashboard into dashboard/dist (served by the local runtime at `/`).
 * `vite dashboard` serves it with hot reload, forwarding the API (`/api`, `/v1`) to `npm start` on :8080.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    proxy: {
      '/api': process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080',
      '/v1': process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080',
    },
  },
});
