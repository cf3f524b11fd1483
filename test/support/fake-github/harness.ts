import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeFile } from './server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const COMPILE_CACHE = mkdtempSync(path.join(tmpdir(), 'gg-compile-cache-'));

/** Builds dist/index.js with the project's own build script into a temp folder (never touching dist/). */
export function buildBundle(): string {
  const outdir = mkdtempSync(path.join(tmpdir(), 'gg-dist-'));
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--outdir', outdir], { cwd: ROOT, stdio: 'pipe' });
  return path.join(outdir, 'index.js');
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: '2026-11-01T10:00:00Z', GIT_COMMITTER_DATE: '2026-11-01T10:00:00Z' },
  }).trim();
}

/** A git repository holding a pull request: base commit on main, one or more head commits on a branch. */
export interface PrRepo {
  dir: string;
  base: string;
  heads: string[];
  /** GitHub's `patch` of each changed file of base...head (what GET /pulls/{n}/files returns). */
  files(head: string): FakeFile[];
}

/** Files of the base commit, and the head versions pushed one after another (later pushes fix part of it). */
export function createPrRepo(
  baseFiles: Record<string, string>,
  pushes: { files: Record<string, string | null>; message: string }[],
): PrRepo {
  const dir = mkdtempSync(path.join(tmpdir(), 'gg-repo-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'dev@example.com');
  git(dir, 'config', 'user.name', 'Dev');
  write(dir, baseFiles);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  const base = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', '-b', 'feature');
  const heads: string[] = [];
  for (const push of pushes) {
    write(dir, push.files);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', push.message);
    heads.push(git(dir, 'rev-parse', 'HEAD'));
  }
  return {
    dir,
    base,
    heads,
    files(head: string): FakeFile[] {
      const names = git(dir, 'diff', '--name-status', `${base}...${head}`).split('\n').filter(Boolean);
      return names.map((line) => {
        const [status, ...paths] = line.split('\t') as [string, ...string[]];
        // A rename is listed under its new name with the old one as previous_filename, as GitHub lists it.
        const renamed = status.startsWith('R');
        const filename = paths[paths.length - 1]!;
        const diff = git(dir, 'diff', '-U3', '-M', `${base}...${head}`, '--', ...paths);
        const patch = diff.includes('\n@@') ? diff.slice(diff.indexOf('\n@@') + 1) : undefined;
        if (renamed) return { filename, previous_filename: paths[0]!, status: 'renamed', ...(patch ? { patch } : {}) };
        return { filename, status: status === 'A' ? 'added' : status === 'D' ? 'removed' : 'modified', ...(patch ? { patch } : {}) };
      });
    },
  };
}

/** Writes the files; `null` deletes one (with a new file of the same text elsewhere, git sees a rename). */
function write(dir: string, files: Record<string, string | null>): void {
  for (const [name, text] of Object.entries(files)) {
    if (text === null) {
      rmSync(path.join(dir, name));
      continue;
    }
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

/** A recorded webhook payload from fixtures/events with our values filled in. */
export function eventPayload(name: string, fill: (payload: any) => void): any {
  const payload = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/events', name), 'utf8'));
  fill(payload);
  return payload;
}

/** What one run of the bundle left behind. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/**
 * Runs the bundle as the runner does: a child process with INPUT_* (hyphens kept, upper case), the event
 * payload file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and the API URL of the fake server.
 */
export async function runBundle(options: {
  bundle: string;
  workspace: string;
  apiUrl: string;
  repository: string;
  eventName: string;
  payload: unknown;
  inputs: Record<string, string>;
  env?: Record<string, string>;
}): Promise<RunResult> {
  const temp = mkdtempSync(path.join(tmpdir(), 'gg-runner-'));
  const eventPath = path.join(temp, 'event.json');
  const outputPath = path.join(temp, 'output.txt');
  const summaryPath = path.join(temp, 'summary.md');
  writeFileSync(eventPath, JSON.stringify(options.payload));
  writeFileSync(outputPath, '');
  writeFileSync(summaryPath, '');
  const inputs = {
    'github-token': '',
    config: '',
    'fail-on': '',
    base: '',
    head: '',
    hotspots: '',
    coverage: '',
    comment: 'true',
    'review-comments': 'true',
    sarif: '',
    ...options.inputs,
  };
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? temp,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_REPOSITORY: options.repository,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_WORKFLOW_REF: `${options.repository}/.github/workflows/guardrail-gate.yml@refs/heads/main`,
    RUNNER_TEMP: temp,
    GUARDRAIL_GATE_TEST_RETRY_UNIT_MS: '5',
    // Many runs of the same 16 MB bundle: let Node reuse its compiled code between them.
    NODE_COMPILE_CACHE: COMPILE_CACHE,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v])),
    ...options.env,
  };
  const child = spawn(process.execPath, [options.bundle], { cwd: options.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr, outputs: parseOutputs(readFileSync(outputPath, 'utf8')), summary: readFileSync(summaryPath, 'utf8') };
}

/** Parses GITHUB_OUTPUT's `name<<DELIMITER ... DELIMITER` records. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!match) continue;
    const value: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== match[2]; i += 1) value.push(lines[i]!);
    outputs[match[1]!] = value.join('\n');
  }
  return outputs;
}

/**
 * What actions/checkout leaves by default: a one-commit clone of the base branch whose `origin` holds the
 * PR's commits (a bare copy of `source` that, like GitHub, serves commits by sha).
 */
export function shallowClone(source: string): string {
  const parent = mkdtempSync(path.join(tmpdir(), 'gg-shallow-'));
  const origin = path.join(parent, 'origin.git');
  execFileSync('git', ['clone', '-q', '--bare', source, origin]);
  execFileSync('git', ['-C', origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true']);
  const work = path.join(parent, 'work');
  execFileSync('git', ['clone', '-q', '--depth=1', '--branch=main', `file://${origin}`, work]);
  return work;
}
