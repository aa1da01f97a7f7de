/** Bad configuration found at start-up; its message is meant to be printed as is, without a stack trace. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
