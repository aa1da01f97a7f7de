import type { Command } from 'commander';
import { createAdminApi, type AdminApi } from './admin-api.js';
import { loadCliConfig, type CliConfig } from './config.js';
import { Output } from './output.js';

export interface CommandContext {
  config: CliConfig;
  api: AdminApi;
  out: Output;
}

/** Builds what a command needs from the global options (`--json`, `--url`) and the environment. */
export type ContextFactory = (command: Command) => CommandContext;

export function contextFactory(env: NodeJS.ProcessEnv): ContextFactory {
  return (command) => {
    const { json, url } = command.optsWithGlobals<{ json?: boolean; url?: string }>();
    const config = loadCliConfig(env, url);
    return { config, api: createAdminApi(config.url, config.adminToken), out: new Output(json === true) };
  };
}
