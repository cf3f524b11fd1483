import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { globPathspecs, openGitRepository, parseRawDiff } from '../../src/adapters/git/git-reader.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { createPullRequestRepo, createRepo, type TempRepo } from '../support/git-repo.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function track<T extends { cleanup(): void }>(repo: T): T {
  cleanups.push(() => repo.cleanup());
  return repo;
}

describe('GitRepository', () => {
  it('greps a commit for words: only files holding one, within the globs, dotfiles and root files included', async () => {
    const files = {
      'src/cache.ts': 'export const url = process.env.REDIS_URL;\n',
      'src/types.d.ts': 'declare const REDIS_URL: string;\n',
      'src/db.ts': 'export const db = process.env.DATABASE_URL;\n',
      '.env.example': 'REDIS_URL=\n',
      'notes.md': 'REDIS_URL is documented here\n',
      'root.js': "const x = '-e REDIS_URL';\n",
    };
    const repo = track(createPullRequestRepo(files, files));
    const git = await openGitRepository(repo.dir);
    const found = await git.grepFiles(repo.head, ['REDIS_URL', '-e'], ['**/!(*.d).{ts,tsx}', '**/*.js', '**/.env.*']);
    // A superset of the globs (the extglob is widened: types.d.ts too); never notes.md or db.ts.
    expect(found.sort()).toEqual(['.env.example', 'root.js', 'src/cache.ts', 'src/types.d.ts']);
    expect(await git.grepFiles(repo.head, ['NOWHERE_KEY'], ['**/*.ts'])).toEqual([]);
  });

  it('turns picomatch globs into git pathspecs that match at least the same paths', () => {
    expect(globPathspecs('**/!(*.d).{ts,tsx}')).toEqual([':(glob)**/*.ts', ':(glob)**/*.tsx']);
    expect(globPathspecs('**/{docker-,}compose*.{yml,yaml}')).toEqual([
      ':(glob)**/docker-compose*.yml',
      ':(glob)**/docker-compose*.yaml',
      ':(glob)**/compose*.yml',
      ':(glob)**/compose*.yaml',
    ]);
  });

  it('resolves revisions to full shas and names the flag of an unknown one', async () => {
    const repo = track(createRepo());
    const sha = repo.commit({ 'a.ts': 'export const a = 1;\n' });
    const git = await openGitRepository(repo.dir);
    expect(await git.resolveCommit('HEAD', '--head')).toBe(sha);
    expect(await git.resolveCommit(sha.slice(0, 10), '--head')).toBe(sha);
    await expect(git.resolveCommit('foo', '--base')).rejects.toThrow(new ConfigurationError("--base: unknown revision 'foo'"));
    await expect(git.resolveCommit('--output=/tmp/x', '--base')).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('refuses a folder that is not a git work tree, naming --repo', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gg-not-a-repo-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    await expect(openGitRepository(dir)).rejects.toThrow(/--repo: .* is not a git work tree/);
  });

  it('opens a subfolder at the top level of its work tree', async () => {
    const repo = track(createRepo());
    repo.commit({ 'pkg/src/a.ts': 'x\n' });
    const git = await openGitRepository(join(repo.dir, 'pkg'));
    expect(await git.listTree(await git.resolveCommit('HEAD', '--head'))).toEqual(['pkg/src/a.ts']);
  });

  it('lists additions, modifications, deletions and renames between two commits', async () => {
    const body = Array.from({ length: 30 }, (_, i) => `export const value${i} = ${i};`).join('\n') + '\n';
    const repo = track(
      createPullRequestRepo(
        { 'src/keep.ts': 'a\n', 'src/old-name.ts': body, 'src/gone.ts': 'bye\n' },
        { 'src/keep.ts': 'b\n', 'src/new-name.ts': body.replace('value3 = 3', 'value3 = 33'), 'src/added.ts': 'hi\n' },
      ),
    );
    const git = await openGitRepository(repo.dir);
    const entries = await git.changedFiles(repo.base, repo.head);
    const id = (sha: string, path: string) => repo.git('rev-parse', `${sha}:${path}`);
    expect(entries.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'src/added.ts', status: 'added', kind: 'file', headId: id(repo.head, 'src/added.ts') },
      { path: 'src/gone.ts', status: 'deleted', kind: 'file', baseId: id(repo.base, 'src/gone.ts') },
      { path: 'src/keep.ts', status: 'modified', kind: 'file', baseId: id(repo.base, 'src/keep.ts'), headId: id(repo.head, 'src/keep.ts') },
      {
        path: 'src/new-name.ts',
        oldPath: 'src/old-name.ts',
        status: 'renamed',
        kind: 'file',
        baseId: id(repo.base, 'src/old-name.ts'),
        headId: id(repo.head, 'src/new-name.ts'),
      },
    ]);
  });

  it('reads files of a commit by path, marks binary blobs and leaves out missing ones', async () => {
    const repo = track(
      createPullRequestRepo(
        { 'a.ts': 'base text\n', 'img.png': new Uint8Array([0x89, 0x50, 0x00, 0x01]), 'name with space.ts': 'x\n' },
        { 'a.ts': 'head text\n', 'img.png': new Uint8Array([0x89, 0x50, 0x00, 0x02]), 'name with space.ts': 'y\n' },
      ),
    );
    const git = await openGitRepository(repo.dir);
    expect((await git.readFiles(repo.base, ['a.ts'])).get('a.ts')).toEqual({ text: 'base text\n', size: 10, binary: false });
    const blobs = await git.readFiles(repo.head, [
      'a.ts',
      'img.png',
      'name with space.ts',
      'does/not/exist.ts',
      '../outside.yml',
      './a.ts',
    ]);
    expect(blobs.get('a.ts')?.text).toBe('head text\n');
    expect(blobs.get('img.png')).toEqual({ size: 4, binary: true });
    expect(blobs.get('name with space.ts')?.text).toBe('y\n');
    expect(blobs.has('does/not/exist.ts')).toBe(false);
    expect(blobs.size).toBe(3);

    const capped = await git.readFiles(repo.head, ['a.ts'], { maxBytes: 4 });
    expect(capped.get('a.ts')).toEqual({ size: 10, binary: false });
  });

  it('reads the work tree never: uncommitted edits are invisible', async () => {
    const repo = track(createPullRequestRepo({ 'a.ts': 'one\n' }, { 'a.ts': 'two\n' }));
    execFileSync('sh', ['-c', 'echo dirty > a.ts'], { cwd: repo.dir });
    const git = await openGitRepository(repo.dir);
    const blobs = await git.readFiles(repo.head, ['a.ts']);
    expect(blobs.get('a.ts')?.text).toBe('two\n');
  });

  it('lists changes without renames when a blob is missing from the clone (mirrors without large files)', async () => {
    const repo = track(
      createPullRequestRepo(
        { 'big.ts': 'export const big = 1;\n', 'keep.ts': 'a\n' },
        { 'other.ts': 'export const o = 2;\n', 'keep.ts': 'b\n' },
      ),
    );
    const blob = repo.git('rev-parse', `${repo.base}:big.ts`);
    rmSync(join(repo.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
    const git = await openGitRepository(repo.dir);
    const entries = await git.changedFiles(repo.base, repo.head);
    expect(entries.map((e) => `${e.status} ${e.path}`).sort()).toEqual(['added other.ts', 'deleted big.ts', 'modified keep.ts']);
    const keep = repo.git('rev-parse', `${repo.base}:keep.ts`);
    const blobs = await git.readObjects([blob, keep]);
    expect([...blobs.keys()]).toEqual([keep]);
  });

  it('finds the merge base of a branch, and none for unrelated histories', async () => {
    const repo = track(createRepo());
    const root = repo.commit({ 'a.ts': '1\n' });
    repo.git('checkout', '-q', '-b', 'feature');
    const feature = repo.commit({ 'a.ts': '2\n' });
    repo.git('checkout', '-q', 'main');
    const main = repo.commit({ 'a.ts': '1\n', 'b.ts': 'b\n' });
    repo.git('checkout', '-q', '--orphan', 'unrelated');
    const unrelated = repo.commit({ 'z.ts': 'z\n' });
    const git = await openGitRepository(repo.dir);
    expect(await git.mergeBase(main, feature)).toBe(root);
    expect(await git.mergeBase(main, unrelated)).toBeUndefined();
  });

  it('lists the commits of the pull request with full messages', async () => {
    const repo = track(createRepo());
    const base = repo.commit({ 'a.ts': '1\n' });
    repo.commit({ 'a.ts': '2\n' }, 'Simplify client\n\nCo-authored-by: Claude <noreply@anthropic.com>');
    const head = repo.commit({ 'a.ts': '3\n' }, 'Second');
    const git = await openGitRepository(repo.dir);
    const commits = await git.commits(base, head);
    expect(commits.map((c) => c.message)).toEqual(['Second', 'Simplify client\n\nCo-authored-by: Claude <noreply@anthropic.com>']);
    expect(commits[0]).toMatchObject({ sha: head, authorName: 'Test Author', authorEmail: 'author@example.com' });
  });

  describe('shallow clones', () => {
    function shallowClone(): { source: TempRepo; clone: string; root: string; main: string; feature: string } {
      const source = track(createRepo());
      const root = source.commit({ 'a.ts': '0\n' });
      source.commit({ 'a.ts': '1\n' });
      source.git('checkout', '-q', '-b', 'feature');
      source.commit({ 'a.ts': '2\n' });
      const feature = source.commit({ 'a.ts': '3\n' });
      source.git('checkout', '-q', 'main');
      source.commit({ 'a.ts': '1\n', 'b.ts': 'b\n' });
      const main = source.commit({ 'a.ts': '1\n', 'b.ts': 'bb\n' });
      const clone = mkdtempSync(join(tmpdir(), 'gg-shallow-'));
      cleanups.push(() => rmSync(clone, { recursive: true, force: true }));
      execFileSync('git', ['clone', '-q', '--depth', '1', '--no-single-branch', `file://${source.dir}`, clone], { stdio: 'ignore' });
      return { source, clone, root, main, feature };
    }

    it('deepens from origin until the merge base is present', async () => {
      const { clone, main, feature, source } = shallowClone();
      const git = await openGitRepository(clone);
      expect(await git.isShallow()).toBe(true);
      const expected = source.git('merge-base', main, feature);
      expect(await git.mergeBase(main, feature)).toBe(expected);
    });

    it('asks for fetch-depth: 0 when there is nothing to deepen from', async () => {
      const { clone, main, feature } = shallowClone();
      execFileSync('git', ['remote', 'remove', 'origin'], { cwd: clone });
      const git = await openGitRepository(clone);
      await expect(git.mergeBase(main, feature)).rejects.toThrow(/fetch-depth: 0/);
    });
  });
});

describe('parseRawDiff', () => {
  it('reads symlinks and submodules as such', () => {
    const z = '0'.repeat(40);
    const out = `:000000 120000 ${z} ${'a'.repeat(40)} A\0link\0:160000 160000 ${'b'.repeat(40)} ${'c'.repeat(40)} M\0vendor/lib\0`;
    expect(parseRawDiff(out)).toEqual([
      { path: 'link', status: 'added', kind: 'symlink', headId: 'a'.repeat(40) },
      { path: 'vendor/lib', status: 'modified', kind: 'submodule', baseId: 'b'.repeat(40), headId: 'c'.repeat(40) },
    ]);
  });
});
