/** Bad configuration found at start-up; its message is meant to be printed as is, without a stack trace. */
export class ConfigError extends Error {
  override name = 'ConfigError';

  /** One entry per bad variable (`NAME: what is wrong (got …)`), so several checks can be reported together. */
  readonly problems: string[];

  constructor(message: string, problems: string[] = [message]) {
    super(message);
    this.problems = problems;
  }

  /** One bad variable reads as one line; several as a list, one line each. */
  static ofProblems(problems: string[]): ConfigError {
    const message =
      problems.length === 1
        ? `invalid configuration: ${problems[0]}`
        : `invalid configuration:\n${problems.map((line) => `  ${line}`).join('\n')}`;
    return new ConfigError(message, problems);
  }
}
