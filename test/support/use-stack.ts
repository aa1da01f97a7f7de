import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { adminClient, type AdminClient } from './client.js';
import { startStack, type Stack, type StackOptions } from './processes.js';
import { cleanupPrefix, testPrefix, testRedis } from './redis.js';

export interface StackContext {
  /** The file's own Redis key prefix. */
  readonly prefix: string;
  /** A Redis connection for the test itself (disconnected after the file). */
  readonly redis: Redis;
  /** The running stack; available in hooks registered after `useStack` and in tests. */
  readonly stack: Stack;
  /** An admin client for `stack`; available like `stack`. */
  readonly api: AdminClient;
}

/**
 * The usual lifecycle of an end-to-end test file: a prefix and Redis connection of its own, a stack (ingress and, by
 * default, worker) started in `beforeAll` with an admin client, and in `afterAll` the stack stopped, the prefix's keys
 * deleted and the connection closed. Call it at the top level of the file; file-specific set-up goes in a `beforeAll`
 * registered after it (hooks run in registration order), and file-specific teardown in an `afterAll` registered after
 * it, which runs before this one's (the config's hook order is "stack").
 */
export function useStack(name: string, options: Omit<StackOptions, 'prefix'> = {}): StackContext {
  const prefix = testPrefix(name);
  const redis = testRedis();
  let stack: Stack | undefined;
  let api: AdminClient | undefined;

  beforeAll(async () => {
    stack = await startStack({ prefix, ...options });
    api = adminClient(stack.baseUrl, stack.adminToken);
  });

  afterAll(async () => {
    await stack?.stop();
    await cleanupPrefix(redis, prefix);
    redis.disconnect();
  });

  return {
    prefix,
    redis,
    get stack() {
      if (!stack) throw new Error(`useStack('${name}'): the stack is not started yet (use it in a hook or test)`);
      return stack;
    },
    get api() {
      if (!api) throw new Error(`useStack('${name}'): the stack is not started yet (use it in a hook or test)`);
      return api;
    },
  };
}
