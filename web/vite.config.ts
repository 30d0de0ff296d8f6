import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import AutoImport from 'unplugin-auto-import/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The console (织密 控制台): built into web/dist, served by `zhimi serve` at `/`.
 * Element Plus components and their styles are imported on demand; ECharts
 * modules are registered one by one in src/charts.ts. Nothing here reaches
 * the network beyond the API proxy of the dev server.
 */
export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  plugins: [
    vue(),
    AutoImport({ resolvers: [ElementPlusResolver()], dts: 'src/auto-imports.d.ts' }),
    Components({ resolvers: [ElementPlusResolver()], dts: 'src/components.d.ts', dirs: [] }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
    reportCompressedSize: true,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});
