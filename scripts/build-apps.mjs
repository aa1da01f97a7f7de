/**
 * Bundles the ingress and the worker into apps/{ingress,worker}/dist/main.js: their own code and the workspace
 * packages in one ES module, every npm dependency left to node_modules. The worker's run threads load their own
 * bundle, dist/run-thread.js, found beside dist/main.js (apps/worker/src/runner/run-pool.ts). The processes then run on plain Node,
 * without the TypeScript loader, which costs about 40 MB of memory per process and slows start-up.
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Each app's entry points: output name (in apps/<app>/dist) → source. */
const apps = {
  ingress: { main: 'src/main.ts' },
  worker: { main: 'src/main.ts', 'run-thread': 'src/runner/run-thread.ts' },
};

/** Bare imports stay external except the workspace packages (@hookflow/*), whose TypeScript sources are bundled. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@hookflow/') ? undefined : { path: args.path, external: true }));
  },
};

await Promise.all(
  Object.entries(apps).map(([app, entries]) =>
    build({
      entryPoints: Object.fromEntries(Object.entries(entries).map(([out, source]) => [out, join(root, 'apps', app, source)])),
      outdir: join(root, 'apps', app, 'dist'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      plugins: [externalDependencies],
      logLevel: 'warning',
    }),
  ),
);
