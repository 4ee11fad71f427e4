// The web app's build. `npm start` builds it when stale (local/build-web.ts) and serves web/dist beside the API;
// the CDK uploads the same web/dist to S3 behind CloudFront.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // three.js (≈ 150 KB gzipped) only loads on the pages that draw in 3D.
    chunkSizeWarningLimit: 800,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/config.json': 'http://127.0.0.1:3000' } },
});
