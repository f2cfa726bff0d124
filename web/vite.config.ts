import { build, type Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The web-chat widget (widget/, docs/channels.md) is built after the dashboard, by the same `vite build`, into one
// self-contained script at <outDir>/webchat/widget.js, which the binary serves at /webchat/widget.js: an IIFE, since
// host pages load it with a plain script tag, and without React or any of the dashboard's code.
function webchatWidget(): Plugin {
  let root = '';
  let outDir = '';
  return {
    name: 'parley-webchat-widget',
    apply: 'build',
    configResolved(config) {
      root = config.root;
      outDir = config.build.outDir.startsWith('/') ? config.build.outDir : `${root}/${config.build.outDir}`;
    },
    async closeBundle() {
      await build({
        configFile: false,
        root,
        logLevel: 'warn',
        build: {
          outDir: `${outDir}/webchat`,
          emptyOutDir: false,
          target: 'es2022',
          lib: { entry: 'widget/main.ts', formats: ['iife'], name: 'ParleyWebchat', fileName: () => 'widget.js' },
        },
      });
    },
  };
}

// The parley binary serves the built files from build/web (its web_dir); `npm run dev` proxies the API to a local
// `parley serve` so the dashboard runs with hot reload against real data.
export default defineConfig({
  plugins: [react(), webchatWidget()],
  build: {
    outDir: '../build/web',
    emptyOutDir: true,
  },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test/setup.ts'],
    css: false,
  },
});
