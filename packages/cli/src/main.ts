#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { buildProgram } from './program.js';

/** Runs the CLI; every failure ends as one line on stderr and a non-zero exit code, never a stack trace. */
async function main(): Promise<void> {
  const program = buildProgram(process.env);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its message (or the help/version, which exit 0)
      process.exitCode = err.exitCode;
      return;
    }
    const message = err instanceof CliError ? err.message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
    process.stderr.write(`error: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  }
}

await main();
