import fc from 'fast-check';
import { HOSTILE_FRAGMENTS, ODD_NAMES, PATHS, SEEDS } from './seeds.js';

/** One changed file as the collect stage hands it to the core. */
export interface FuzzFile {
  path: string;
  oldPath?: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  base?: string;
  head?: string;
}

/** A pull request for the pure pipeline, labelled with the generator that made it (the input mix). */
export interface FuzzInput {
  mix: string;
  files: FuzzFile[];
}

type Mutation = (text: string, pick: (n: number) => number) => string;

const lines = (text: string): string[] => text.split('\n');

const MUTATIONS: Record<string, Mutation> = {
  deleteLine: (t, pick) => {
    const l = lines(t);
    l.splice(pick(l.length), 1 + pick(3));
    return l.join('\n');
  },
  duplicateLine: (t, pick) => {
    const l = lines(t);
    const i = pick(l.length);
    l.splice(i, 0, l[i] ?? '');
    return l.join('\n');
  },
  swapLines: (t, pick) => {
    const l = lines(t);
    const i = pick(l.length);
    const j = pick(l.length);
    [l[i], l[j]] = [l[j] ?? '', l[i] ?? ''];
    return l.join('\n');
  },
  changeNumber: (t, pick) => {
    const numbers = [...t.matchAll(/\d[\d_]*/g)];
    const m = numbers[pick(numbers.length)];
    return m ? t.slice(0, m.index) + String([0, 1, 2, 50, 99999, 1e21][pick(6)]) + t.slice(m.index + m[0].length) : t;
  },
  cutSpan: (t, pick) => {
    const at = pick(t.length);
    return t.slice(0, at) + t.slice(at + 1 + pick(40));
  },
  insertFragment: (t, pick) => {
    const at = pick(t.length + 1);
    return t.slice(0, at) + HOSTILE_FRAGMENTS[pick(HOSTILE_FRAGMENTS.length)]! + t.slice(at);
  },
  oddName: (t, pick) => {
    const names = [...t.matchAll(/(?<=\n\s*(?:async\s+)?)([A-Za-z_$][\w$]*)(?=\s*\()/g)];
    const m = names[pick(names.length)];
    return m ? t.slice(0, m.index) + ODD_NAMES[pick(ODD_NAMES.length)]! + t.slice(m.index + m[0].length) : t;
  },
  lineEndings: (t, pick) => t.replace(/\n/g, ['\r\n', '\r', '\u2028', '\n\r'][pick(4)]!),
  bom: (t) => `\uFEFF${t}`,
  stringWithTerminators: (t, pick) => {
    const at = t.indexOf("'", pick(t.length));
    return at < 0 ? t : t.slice(0, at + 1) + ['\\r\\r<!-- ', '\r', '\u2028', '\x1b]0;x\x07'][pick(4)]! + t.slice(at + 1);
  },
};

const MUTATION_NAMES = Object.keys(MUTATIONS);

/** Applies `count` random mutations chosen by the integers drawn (so fast-check can shrink them). */
function mutate(text: string, choices: number[]): string {
  let out = text;
  let k = 0;
  const pick = (n: number): number => (n <= 0 ? 0 : (choices[k++ % choices.length]! >>> 0) % n);
  const count = 1 + pick(4);
  for (let i = 0; i < count; i++) out = MUTATIONS[MUTATION_NAMES[pick(MUTATION_NAMES.length)]!]!(out, pick);
  return out;
}

const choicesArb = fc.array(fc.nat(), { minLength: 4, maxLength: 24 });

/** A seed file changed by mutations on one or both sides. */
const mutatedFile: fc.Arbitrary<FuzzFile> = fc
  .record({
    seed: fc.nat(SEEDS.length - 1),
    base: choicesArb,
    head: choicesArb,
    both: fc.boolean(),
    status: fc.nat(9),
    path: fc.nat(PATHS.length + 3),
  })
  .map(({ seed, base, head, both, status, path }) => {
    const source = SEEDS[seed]!;
    const baseText = both ? mutate(source.text, base) : source.text;
    const headText = mutate(baseText, head);
    const filePath = path < PATHS.length ? PATHS[path]! : source.path;
    if (status === 0) return { path: filePath, status: 'added', head: headText };
    if (status === 1) return { path: filePath, status: 'deleted', base: baseText };
    if (status === 2)
      return {
        path: filePath,
        oldPath: source.path === filePath ? `${filePath}.old.ts` : source.path,
        status: 'renamed',
        base: baseText,
        head: headText,
      };
    return { path: filePath, status: 'modified', base: baseText, head: headText };
  });

const NESTINGS: Record<string, (n: number) => string> = {
  parens: (n) => `export const x = ${'('.repeat(n)}1${')'.repeat(n)};`,
  calls: (n) => `export const x = ${'f('.repeat(n)}1${')'.repeat(n)};`,
  objects: (n) => `export const x = ${'{ a: '.repeat(n)}1${' }'.repeat(n)};`,
  arrays: (n) => `export const x = ${'['.repeat(n)}1${']'.repeat(n)};`,
  ifs: (n) => `export function g(a) { ${'if (a) '.repeat(n)}return 1; }`,
  blocks: (n) => `export function g(a) { ${'if (a) { '.repeat(n)}return 1;${' }'.repeat(n)} }`,
  plus: (n) => `export const x = ${Array.from({ length: n }, (_, i) => `a${i}`).join(' + ')};`,
  arrows: (n) => `export const x = ${'() => '.repeat(n)}1;`,
  ternaries: (n) => `export const x = ${'a ? b : '.repeat(n)}c;`,
  asyncCalls: (n) => 'f(async (c, '.repeat(Math.min(n, 60)),
  jsx: (n) => `export const x = ${'<a>'.repeat(n)}${'</a>'.repeat(n)};`,
  unclosed: (n) => `export function g() { ${'{ ('.repeat(n)}`,
  members: (n) => `export const x = a${'.b'.repeat(n)};`,
  callChain: (n) => `export const x = a${'()'.repeat(n)};`,
  templates: (n) => `export const x = ${'`${'.repeat(n)}1${'}`'.repeat(n)};`,
};

/** Deep nesting of every kind the parser or a walker could recurse on. */
const deepFile = fc
  .record({
    kind: fc.constantFrom(...Object.keys(NESTINGS)),
    depth: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 300, max: 2500 })),
    path: fc.constantFrom('src/deep.ts', 'src/deep.tsx', 'src/deep.js'),
  })
  .map(({ kind, depth, path }) => ({
    mix: `deep:${kind}`,
    file: { path, status: 'modified' as const, base: `${NESTINGS[kind]!(depth)}\n`, head: `${NESTINGS[kind]!(depth)}\n// changed\n` },
  }));

/** Raw strings: control characters, lone surrogates, terminators, anything. */
const garbageFile = fc
  .record({
    base: fc.string({ unit: 'binary', maxLength: 400 }),
    head: fc.string({ unit: 'binary', maxLength: 400 }),
    path: fc.constantFrom(...PATHS),
  })
  .map(({ base, head, path }) => ({ mix: 'garbage', file: { path, status: 'modified' as const, base, head } }));

/** A huge line, a long file of functions, a minified-looking bundle. */
const bigFile = fc
  .record({ kind: fc.constantFrom('hugeLine', 'manyFunctions', 'minified', 'hugeString'), size: fc.integer({ min: 1, max: 100 }) })
  .map(({ kind, size }) => {
    const text =
      kind === 'hugeLine'
        ? `export const x = [${Array.from({ length: size * 200 }, (_, i) => i).join(',')}];\n`
        : kind === 'manyFunctions'
          ? Array.from(
              { length: size * 10 },
              (_, i) => `function f${i}(a) { if (!a) throw new Error('x'); return fetch(a, { timeout: ${i} }); }`,
            ).join('\n') + '\nexport { f1 };\n'
          : kind === 'minified'
            ? `${'var a=function(b){return b&&b.c?b.c(function(d){return d}):null};'.repeat(size * 10)}\n`
            : `export const s = "${'x'.repeat(size * 2000)}";\n`;
    return {
      mix: `big:${kind}`,
      file: {
        path: 'src/big.ts',
        status: 'modified' as const,
        base: text,
        head: text.replace(/timeout: \d+/, 'retries: 0').replace(/x/, 'y'),
      },
    };
  });

/**
 * Every input: mostly mutated seeds (several files per PR), plus hostile generators. The mix label names
 * the generator of the PR's first hostile file, or `mutated`.
 */
export const fuzzInput: fc.Arbitrary<FuzzInput> = fc
  .record({
    mutated: fc.array(mutatedFile, { minLength: 1, maxLength: 4 }),
    hostile: fc.option(
      fc.oneof({ weight: 3, arbitrary: deepFile }, { weight: 2, arbitrary: garbageFile }, { weight: 1, arbitrary: bigFile }),
      { freq: 2 },
    ),
  })
  .map(({ mutated, hostile }) => {
    // Paths must be unique within a pull request, as git gives them.
    const seen = new Set<string>();
    const files: FuzzFile[] = [];
    for (const file of (hostile ? [hostile.file, ...mutated] : mutated) as FuzzFile[]) {
      if (seen.has(file.path) || (file.oldPath !== undefined && seen.has(file.oldPath))) continue;
      seen.add(file.path);
      if (file.oldPath !== undefined) seen.add(file.oldPath);
      files.push(file);
    }
    return { mix: hostile ? hostile.mix : 'mutated', files };
  });
