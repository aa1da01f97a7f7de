import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into dist/ and served by the ingress at /console; `npm run dev -w apps/console` proxies the API to a local ingress.
const ingress = 'http://localhost:8080';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy: { '/api': ingress, '/console/session': ingress, '/admin': ingress, '/hooks': ingress } },
});
