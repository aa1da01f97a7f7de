import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installRoot } from '../config/install-root.js';
import type { Logger } from '../logger.js';
import { workflowDefinitionSchema } from './definition-schema.js';
import type { WorkflowCatalog } from './catalog.js';
import { findBuiltin } from './catalog.js';
import { checkDefinition } from './check-definition.js';

/** `workflows/` at the repository root, where the example definitions live. */
export const defaultWorkflowsDir = join(installRoot(import.meta.dirname), 'workflows');

/**
 * Stores every `*.json` definition of `dir` (a new version only when its content changed, so every process may do
 * this at start). A bad file is logged and skipped: one typo must not keep the service down.
 */
export async function loadWorkflowFiles(catalog: WorkflowCatalog, log: Logger, dir = defaultWorkflowsDir): Promise<string[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const loaded: string[] = [];
  for (const file of files) {
    const path = join(dir, file);
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      log.error({ file: path, err: (err as Error).message }, 'workflow file is not JSON; skipped');
      continue;
    }
    const parsed = workflowDefinitionSchema.safeParse(raw);
    if (!parsed.success) {
      log.error(
        { file: path, errors: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
        'workflow file is invalid; skipped',
      );
      continue;
    }
    const definition = parsed.data;
    const problems = checkDefinition(definition);
    if (problems.length > 0) {
      log.error({ file: path, errors: problems.map((p) => `${p.path}: ${p.message}`) }, 'workflow file is invalid; skipped');
      continue;
    }
    if (findBuiltin(definition.name)) {
      log.error({ file: path, workflow: definition.name }, 'workflow file names a built-in workflow; skipped');
      continue;
    }
    const { version, changed } = await catalog.put(definition, { onlyIfChanged: true });
    log.debug({ workflow: definition.name, version, changed }, 'workflow definition loaded');
    loaded.push(definition.name);
  }
  return loaded;
}
