/**
 * Bundles the ingress and the worker into apps/{ingress,worker}/dist/main.js: their own code and the workspace
 * packages in one ES module, every npm dependency left to node_modules. The worker's run threads load their own
 * bundle, dist/run-thread.js, found beside dist/main.js (apps/worker/src/runner/run-pool.ts). The processes then run on plain Node,
 * without the TypeScript loader, which would cost every process memory and start-up time.
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
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@hookflow/') ? undefined : { path: args.path, external: true },
    );
  },
};

/**
 * For the worker's run threads: the shared package's modules count as free of side effects, so the modules a thread
 * does not use are left out with their imports (bullmq, ioredis, prom-client, ajv): every thread loads its bundle, and
 * each of those would cost every thread memory and start-up time.
 */
const sharedWithoutSideEffects = {
  name: 'shared-without-side-effects',
  setup(pluginBuild) {
    const sharedSources = join(root, 'packages', 'shared', 'src');
    pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await pluginBuild.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      if (resolved.errors.length > 0 || resolved.external || !resolved.path.startsWith(sharedSources)) return undefined;
      return { path: resolved.path, sideEffects: false };
    });
  },
};

const options = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
};

await Promise.all(
  Object.entries(apps).flatMap(([app, entries]) =>
    Object.entries(entries).map(([out, source]) =>
      build({
        ...options,
        entryPoints: [join(root, 'apps', app, source)],
        outfile: join(root, 'apps', app, 'dist', `${out}.js`),
        plugins: out === 'run-thread' ? [externalDependencies, sharedWithoutSideEffects] : [externalDependencies],
      }),
    ),
  ),
);
