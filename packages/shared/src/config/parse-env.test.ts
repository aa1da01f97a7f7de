import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../errors/config-error.js';
import { envFields, parseEnv } from './parse-env.js';

const schema = z.object({ PORT: envFields.port(8080), REDIS_URL: envFields.redisUrl, LOG_LEVEL: envFields.logLevel });

function problemOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    parseEnv(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv', () => {
  it('reports one bad variable on one line, naming it and what it got', () => {
    const err = problemOf({ PORT: 'abc' });
    expect(err.message).toBe('invalid configuration: PORT: must be a port number (0-65535) (got "abc")');
    expect(err.problems).toEqual(['PORT: must be a port number (0-65535) (got "abc")']);
  });

  it('lists several bad variables one per line, each once', () => {
    const err = problemOf({ PORT: '-1', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' });
    expect(err.message.split('\n')).toEqual([
      'invalid configuration:',
      '  PORT: must be a port number (0-65535) (got "-1")',
      '  REDIS_URL: must be a redis:// or rediss:// URL (got "http://x")',
      expect.stringMatching(/^ {2}LOG_LEVEL: .+ \(got "loud"\)$/),
    ]);
    expect(err.problems).toHaveLength(3);
  });
});
