import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig } from '../../src/core/config/config.js';
import { analyzeFiles } from '../../src/core/infra/run-analyzers.js';
import { severityRank, type ChangedFile } from '../../src/core/model.js';

// The repository's own workflows cannot run here: they are parsed and held to what the README and
// package.json promise, so a workflow that drifts from them (a dropped Node version, a permission the
// README does not document, an unpinned action) fails `npm test` and therefore `.ci/run`.
const ROOT = join(import.meta.dirname, '../..');
const WORKFLOWS = join(ROOT, '.github/workflows');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps: Step[];
  'runs-on': string;
  if?: string;
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: unknown;
  jobs: Record<string, Job>;
}

function load(name: string): { text: string; workflow: Workflow } {
  const text = readFileSync(join(WORKFLOWS, name), 'utf8');
  return { text, workflow: parse(text, { strict: true, uniqueKeys: true }) as Workflow };
}

const steps = (workflow: Workflow): Step[] => Object.values(workflow.jobs).flatMap((job) => job.steps);
const runs = (workflow: Workflow): string[] =>
  steps(workflow).flatMap((step) => (step.run ? step.run.split('\n').map((l) => l.trim()) : []));

/** The workflow the README tells users to copy. */
function readmeWorkflow(): Workflow {
  const block = /```yaml\n(# \.github\/workflows\/guardrail-gate\.yml\n[\s\S]*?)```/.exec(README)?.[1];
  expect(block, 'README workflow example').toBeDefined();
  return parse(block!) as Workflow;
}

describe('.github/workflows', () => {
  const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));

  it('holds the CI, the gate on its own pull requests and the release, each parsing as strict YAML', () => {
    expect(files.sort()).toEqual(['ci.yml', 'guardrail-gate.yml', 'release.yml']);
    for (const file of files) {
      const { workflow } = load(file);
      expect(workflow.name, file).toBeTruthy();
      expect(Object.keys(workflow.jobs).length, file).toBeGreaterThan(0);
      for (const [id, job] of Object.entries(workflow.jobs)) {
        expect(job['runs-on'], `${file} ${id}`).toBe('ubuntu-latest');
        expect(job.steps.length, `${file} ${id}`).toBeGreaterThan(0);
        for (const step of job.steps)
          expect(step.uses !== undefined || step.run !== undefined, `${file} ${id}: a step with neither uses nor run`).toBe(true);
      }
    }
  });

  it('pins every third-party action to a full commit sha, its release named in a comment', () => {
    for (const file of files) {
      const { text, workflow } = load(file);
      for (const step of steps(workflow)) {
        if (!step.uses || step.uses.startsWith('./')) continue;
        expect(step.uses, `${file}: ${step.uses}`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
        const line = text.split('\n').find((l) => l.includes(step.uses!));
        expect(line, `${file}: ${step.uses} needs a '# vX.Y.Z' comment`).toMatch(/# v\d+\.\d+\.\d+\s*$/);
      }
    }
  });

  it('never uses pull_request_target, which would give pull request code a write token', () => {
    for (const file of files) expect(Object.keys(load(file).workflow.on), file).not.toContain('pull_request_target');
  });

  describe('ci.yml', () => {
    const { workflow } = load('ci.yml');

    it('runs on pull requests and pushes, read-only', () => {
      expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
      expect(workflow.permissions).toEqual({ contents: 'read' });
    });

    it("runs the README's test commands on Node 20 and 24, then check-dist", () => {
      const test = workflow.jobs.test!;
      expect(test.strategy?.matrix?.node).toEqual(['20', '24']);
      const setup = test.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
      expect(setup?.with?.['node-version']).toBe('${{ matrix.node }}');
      const commands = test.steps.flatMap((s) => (s.run ? s.run.split('\n').map((l) => l.trim()) : []));
      const readmeBlock = /```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
      expect(readmeBlock).toMatch(/^npm test\b/m);
      const install = commands.findIndex((c) => c.startsWith('npm ci'));
      const tests = commands.indexOf('npm test');
      const dist = commands.indexOf('npm run check-dist');
      expect(install).toBeGreaterThanOrEqual(0);
      expect(tests).toBeGreaterThan(install);
      expect(dist).toBeGreaterThan(tests);
    });

    it('checks lint and format with the package scripts that exist', () => {
      const commands = runs(workflow);
      for (const script of ['lint', 'format:check']) {
        expect(commands).toContain(`npm run ${script}`);
        expect(PACKAGE.scripts[script], script).toBeTruthy();
      }
    });
  });

  describe('guardrail-gate.yml', () => {
    const { workflow } = load('guardrail-gate.yml');

    it('runs this checkout as the Action (uses: ./) with the full history', () => {
      const job = Object.values(workflow.jobs)[0]!;
      const checkout = job.steps.findIndex((s) => s.uses?.startsWith('actions/checkout@'));
      const gate = job.steps.findIndex((s) => s.uses === './');
      expect(checkout).toBeGreaterThanOrEqual(0);
      expect(gate).toBeGreaterThan(checkout);
      expect(job.steps[checkout]!.with).toMatchObject({ 'fetch-depth': 0, 'persist-credentials': false });
    });

    it('has exactly the triggers, permissions, concurrency and job condition the README documents', () => {
      const documented = readmeWorkflow();
      expect(workflow.permissions).toEqual(documented.permissions);
      expect(workflow.on).toEqual(documented.on);
      expect(workflow.concurrency).toEqual(documented.concurrency);
      expect(Object.values(workflow.jobs)[0]!.if).toBe(Object.values(documented.jobs)[0]!.if);
    });
  });

  describe('release.yml', () => {
    const { workflow } = load('release.yml');

    it('runs on semver tags only', () => {
      expect(Object.keys(workflow.on)).toEqual(['push']);
      expect(workflow.on.push).toEqual({ tags: ['v*.*.*'] });
    });

    it('publishes to npm with provenance, with the OIDC permission it needs and no more than contents: write', () => {
      expect(workflow.permissions).toEqual({ contents: 'read' });
      const job = workflow.jobs.publish!;
      expect(job.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
      const setup = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'));
      expect(setup?.with?.['registry-url']).toBe('https://registry.npmjs.org');
      const commands = runs(workflow);
      const publish = commands.filter((c) => /\bnpm publish\b/.test(c));
      expect(publish.length).toBeGreaterThan(0);
      for (const command of publish) expect(command).toMatch(/npm publish --provenance\b/);
      // Tests and the dist check come before anything is published.
      const order = (needle: string): number => commands.findIndex((c) => c.includes(needle));
      expect(order('npm test')).toBeLessThan(order('npm publish'));
      expect(order('npm run check-dist')).toBeLessThan(order('npm publish'));
    });

    it('moves the major tag after publishing, never for a prerelease', () => {
      const job = workflow.jobs.publish!;
      const move = job.steps.findIndex((s) => s.run?.includes('git push --force origin "refs/tags/$major"'));
      const publish = job.steps.findIndex((s) => s.run?.includes('npm publish'));
      expect(move).toBeGreaterThan(publish);
      expect(job.steps[move]!.if).toContain("!contains(github.ref_name, '-')");
      expect(job.steps[move]!.run).toContain('major="${TAG%%.*}"');
      // The tag name reaches the shell through env, never spliced into the script (script injection).
      for (const step of job.steps) expect(step.run ?? '', 'github.ref_name inside a run script').not.toContain('${{');
    });
  });
});

// Our own gate's CI checks run on our own workflows: each workflow as it is committed must read to the
// analyzers as protection they know (a PR that drops the test step or masks it is flagged), and the
// committed workflows, compared with themselves, raise nothing.
describe("the gate's own CI analyzers on these workflows", () => {
  const ciPath = '.github/workflows/ci.yml';
  const ci = readFileSync(join(ROOT, ciPath), 'utf8');
  const pkg = readFileSync(join(ROOT, 'package.json'), 'utf8');
  const config = defaultConfig();
  const loud = (files: ChangedFile[]) =>
    analyzeFiles({ files, tree: { unchanged: { 'package.json': pkg } }, config }).findings.filter(
      (f) => severityRank(f.severity) >= severityRank('medium'),
    );

  it('finds nothing when every workflow stays as committed (the model reads them without error)', () => {
    const files: ChangedFile[] = readdirSync(WORKFLOWS).map((name) => {
      const text = readFileSync(join(WORKFLOWS, name), 'utf8');
      return { path: `.github/workflows/${name}`, status: 'modified', base: text, head: `${text}\n` };
    });
    const result = analyzeFiles({ files, tree: { unchanged: { 'package.json': pkg } }, config });
    expect(result.skipped).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it('flags a PR that drops the test step from ci.yml', () => {
    const head = ci.replace(/^\s*- run: npm test\n/m, '');
    expect(head).not.toEqual(ci);
    expect(loud([{ path: ciPath, status: 'modified', base: ci, head }]).map((f) => f.rule)).toContain('removed-ci-check');
  });

  it('flags a PR that lets the lint job fail without failing the workflow', () => {
    const head = ci.replace('- run: npm run lint', '- run: npm run lint || true');
    expect(head).not.toEqual(ci);
    expect(loud([{ path: ciPath, status: 'modified', base: ci, head }]).map((f) => f.rule)).toContain('masked-ci-failure');
  });

  it('flags a PR that turns the frozen install into a plain one', () => {
    const head = ci.replaceAll('npm ci --no-audit --no-fund', 'npm install');
    expect(loud([{ path: ciPath, status: 'modified', base: ci, head }]).map((f) => f.rule)).toContain('unfrozen-install');
  });

  it('flags a PR that repins a SHA-pinned action to its tag', () => {
    const head = ci.replace(/actions\/checkout@[0-9a-f]{40}/, 'actions/checkout@v7');
    expect(head).not.toEqual(ci);
    expect(loud([{ path: ciPath, status: 'modified', base: ci, head }]).map((f) => f.rule)).toContain('unpinned-action');
  });
});
