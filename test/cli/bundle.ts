import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface Bundle {
  cli: string;
  /** V8's compile cache for the bundle: 15 MB of JavaScript parsed once instead of on every run. */
  compileCache: string;
  cleanup(): void;
}

/**
 * Builds dist/cli.js with the project's build script into a private folder (other suites may be reading the
 * committed dist/ at the same time), with fixtures/ beside it as in a checkout, so `demo` finds its fixture.
 */
export function buildCliBundle(): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'gg-bundle-'));
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--outdir', join(dir, 'dist'), '--only', 'cli'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  symlinkSync(join(root, 'fixtures'), join(dir, 'fixtures'));
  return {
    cli: join(dir, 'dist', 'cli.js'),
    compileCache: join(dir, 'compile-cache'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the bundle with the Node running the tests (24 under `npm test`), colors off. */
export function runCli(bundle: Bundle, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliRun {
  const result = spawnSync(process.execPath, [bundle.cli, ...args], {
    cwd: options.cwd ?? tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', NODE_COMPILE_CACHE: bundle.compileCache, ...options.env },
    maxBuffer: 64 << 20,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
