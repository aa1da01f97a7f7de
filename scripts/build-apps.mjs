/**
 * Bundles the ingress and the worker into apps/{ingress,worker}/dist/main.js: their own code and the workspace
 * packages in one ES module, every npm dependency left to node_modules. The processes then run on plain Node,
 * without the TypeScript loader, which costs about 40 MB of memory per process and slows start-up.
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const apps = ['ingress', 'worker'];

/** Bare imports stay external except the workspace packages (@hookflow/*), whose TypeScript sources are bundled. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@hookflow/') ? undefined : { path: args.path, external: true }));
  },
};

await Promise.all(
  apps.map((app) =>
    build({
      entryPoints: [join(root, 'apps', app, 'src', 'main.ts')],
      outfile: join(root, 'apps', app, 'dist', 'main.js'),
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
