import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ConfigurationError } from '../../core/errors.js';

/**
 * The one way this program runs git. Every command goes through `Git.command`, which puts the neutral
 * options first, so that neither the user's configuration nor the repository's (or a `.gitattributes` a
 * pull request adds) can change what we parse or make git run a program of its choosing.
 */

/** A git command that exited non-zero; `exitCode` lets callers tell "no answer" (1) from "broken" (128). */
export class GitCommandError extends Error {
  override name = 'GitCommandError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`git ${args[0] ?? ''} exited with ${exitCode}: ${stderr.trim().split('\n')[0] ?? ''}`);
  }
}

/**
 * `-c` options put before every subcommand. Why each one:
 * - quotePath, diff.relative, noprefix, mnemonicPrefix, log.showSignature, color: keep the output in the
 *   shape our parsers read, whatever the user's ~/.gitconfig says;
 * - core.fsmonitor, core.hooksPath: a configured fsmonitor or hook is a program git would run for us
 *   (fetch runs the reference-transaction hook);
 * - core.attributesFile: no global attributes that select textconv or filter drivers (the in-tree
 *   `.gitattributes` of a PR can still name drivers; every command that would run one is given
 *   `--no-textconv` / `--no-ext-diff`, and cat-file is never asked for `--filters` or `--textconv`);
 * - gc.auto, maintenance.auto: a fetch must not start a background gc in the runner's checkout;
 * - blame.ignoreRevsFile: a missing ignore-revs file named by the repository would fail every blame.
 */
const NEUTRAL_CONFIG: readonly string[] = [
  'core.quotePath=false',
  'core.fsmonitor=false',
  'core.hooksPath=/dev/null',
  'core.attributesFile=/dev/null',
  'diff.relative=false',
  'diff.noprefix=false',
  'diff.mnemonicPrefix=false',
  'log.showSignature=false',
  'color.ui=false',
  'gc.auto=0',
  'maintenance.auto=false',
  'blame.ignoreRevsFile=',
].flatMap((setting) => ['-c', setting]);

/**
 * Refuses every transport unless the command is a fetch we mean: in a partial clone, reading a missing
 * blob would otherwise fetch it from the promisor remote behind our back.
 */
const NO_NETWORK = ['-c', 'protocol.allow=never'];

/**
 * Environment overrides of every command: no system configuration or attributes, no prompt for a
 * password (a gate fails with a message, it never waits), no pager, no external diff program.
 */
const NEUTRAL_ENV: Readonly<Record<string, string | undefined>> = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_ATTR_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
  GIT_PAGER: 'cat',
  PAGER: 'cat',
  GIT_EXTERNAL_DIFF: undefined,
  GIT_OPTIONAL_LOCKS: '0',
};

export interface GitRunOptions {
  /** Bytes written to stdin, then closed. */
  input?: string | Buffer;
  /** Exit codes that are answers, not failures (merge-base exits 1 for "no common ancestor"). */
  okExitCodes?: readonly number[];
  /** The command may reach a remote (an explicit fetch). */
  network?: boolean;
  /** Extra environment (a commit's author and date in a scratch repository). */
  env?: Record<string, string>;
}

/** A git runner bound to one repository folder. */
export class Git {
  /**
   * Settings only network commands carry (the token header a checkout without persisted credentials
   * needs): kept here, never written to the repository's configuration, and passed as GIT_CONFIG_*
   * variables rather than `-c` so that the value never shows in a process listing.
   */
  private readonly networkConfig: [key: string, value: string][] = [];

  constructor(readonly dir: string) {}

  /** Adds a configuration setting to every later network command of this runner. */
  addNetworkConfig(key: string, value: string): void {
    this.networkConfig.push([key, value]);
  }

  /** The full argument vector and environment of one command: the neutral options, then `args`. */
  command(args: readonly string[], options: Pick<GitRunOptions, 'network' | 'env'> = {}): { argv: string[]; env: NodeJS.ProcessEnv } {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    for (const [key, value] of Object.entries(NEUTRAL_ENV)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    if (options.network) {
      let index = Number(env.GIT_CONFIG_COUNT ?? 0) || 0;
      for (const [key, value] of this.networkConfig) {
        env[`GIT_CONFIG_KEY_${index}`] = key;
        env[`GIT_CONFIG_VALUE_${index}`] = value;
        index++;
      }
      if (this.networkConfig.length) env.GIT_CONFIG_COUNT = String(index);
    }
    return { argv: ['--no-pager', ...NEUTRAL_CONFIG, ...(options.network ? [] : NO_NETWORK), ...args], env };
  }

  /** Starts a command whose output is streamed (cat-file batches, tree listings). */
  spawn(args: readonly string[], options: Pick<GitRunOptions, 'network' | 'env'> = {}): ChildProcessWithoutNullStreams {
    const { argv, env } = this.command(args, options);
    const child = spawn('git', argv, { cwd: this.dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined); // git may exit before reading everything; 'close' reports why
    return child;
  }

  /** Runs a command to completion; resolves with its stdout bytes, rejects with GitCommandError. */
  run(args: readonly string[], options: GitRunOptions = {}): Promise<{ stdout: Buffer; exitCode: number }> {
    return new Promise((resolve, reject) => {
      const child = this.spawn(args, options);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new ConfigurationError('git was not found on PATH: install git (2.30 or later)') : error),
      );
      child.on('close', (code) => {
        const exitCode = code ?? -1;
        if (exitCode === 0 || options.okExitCodes?.includes(exitCode)) resolve({ stdout: Buffer.concat(out), exitCode });
        else reject(new GitCommandError(args, exitCode, Buffer.concat(err).toString('utf8')));
      });
      child.stdin.end(options.input ?? '');
    });
  }

  /** Runs a command and decodes its stdout as UTF-8. */
  async text(args: readonly string[], options: GitRunOptions = {}): Promise<string> {
    return (await this.run(args, options)).stdout.toString('utf8');
  }

  /** Runs a command and tells only whether it succeeded (`cat-file -e`, `remote get-url`). */
  async succeeds(args: readonly string[]): Promise<boolean> {
    try {
      await this.run(args);
      return true;
    } catch (error) {
      if (error instanceof GitCommandError) return false;
      throw error;
    }
  }
}

/** Collects a stream's bytes for an error message. */
export function collectText(stream: NodeJS.ReadableStream): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString();
}
