import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/core/model.js';
import { renderCatalogueTable, renderRuleDoc } from '../../src/core/detect/docs.js';
import { DETECTORS } from '../../src/core/detect/registry.js';
import { renderAnalyzerDoc } from '../../src/core/infra/docs.js';
import { ANALYZERS } from '../../src/core/infra/registry.js';
import { claims } from '../../src/core/infra/tree.js';
import { findingsOf, loadCases, loud } from '../support/detector-cases.js';

const ROOT = join(import.meta.dirname, '../..');
const UPDATE = process.env.GG_UPDATE_DOCS === '1';
const MIN_CASES = 3;

describe('the analyzers of non-code files', () => {
  it('lists exactly the files of src/core/infra/analyzers, sorted by id, none sharing an id with a detector', () => {
    const dir = join(ROOT, 'src/core/infra/analyzers');
    const files = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.ts'))
          .map((f) => f.replace(/\.ts$/, ''))
          .sort()
      : [];
    const ids = ANALYZERS.map((a) => a.meta.id);
    expect(ids).toEqual(files);
    expect(ids).toEqual([...ids].sort());
    const detectorIds = new Set(DETECTORS.map((d) => d.meta.id));
    expect(ids.filter((id) => detectorIds.has(id))).toEqual([]);
  });

  for (const analyzer of ANALYZERS) {
    const { id } = analyzer.meta;
    describe(id, () => {
      it('uses a category of the contract', () => {
        expect(CATEGORIES).toContain(analyzer.meta.category);
      });
      it(`has at least ${MIN_CASES} cases that must be flagged and ${MIN_CASES} that must stay quiet`, () => {
        expect(loadCases(id, 'flagged').length).toBeGreaterThanOrEqual(MIN_CASES);
        expect(loadCases(id, 'quiet').length).toBeGreaterThanOrEqual(MIN_CASES);
      });
      it('has docs/rules/<id>.md in step with its metadata', () => {
        const path = join(ROOT, 'docs/rules', `${id}.md`);
        const rendered = renderAnalyzerDoc(analyzer.meta);
        if (UPDATE) writeFileSync(path, rendered);
        expect(existsSync(path), `${path} is missing: run npm run docs`).toBe(true);
        expect(readFileSync(path, 'utf8')).toBe(rendered);
      });
      it('flags its own documentation example', () => {
        const { before, after, file, context } = analyzer.meta.docs.example;
        const unchanged = new Map((context ?? []).map((c) => [c.path, c.text]));
        const findings = loud(findingsOf(id, [{ path: file, status: 'modified', base: before, head: after }], unchanged));
        expect(findings.length).toBeGreaterThan(0);
      });
      it('claims the file of its documentation example', () => {
        expect(claims(analyzer, { path: analyzer.meta.docs.example.file })).toBe(true);
      });
    });
  }
});

describe('the detector catalogue', () => {
  it('lists exactly the files of src/core/detect/detectors, sorted by id', () => {
    const files = readdirSync(join(ROOT, 'src/core/detect/detectors'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    const ids = DETECTORS.map((d) => d.meta.id);
    expect(ids).toEqual(files);
    expect(ids).toEqual([...ids].sort());
  });

  for (const detector of DETECTORS) {
    const { id } = detector.meta;
    describe(id, () => {
      it('uses a category of the contract', () => {
        expect(CATEGORIES).toContain(detector.meta.category);
      });
      it(`has at least ${MIN_CASES} cases that must be flagged and ${MIN_CASES} that must stay quiet`, () => {
        expect(loadCases(id, 'flagged').length).toBeGreaterThanOrEqual(MIN_CASES);
        expect(loadCases(id, 'quiet').length).toBeGreaterThanOrEqual(MIN_CASES);
      });
      it('has docs/rules/<id>.md in step with its metadata', () => {
        const path = join(ROOT, 'docs/rules', `${id}.md`);
        const rendered = renderRuleDoc(detector.meta);
        if (UPDATE) writeFileSync(path, rendered);
        expect(existsSync(path), `${path} is missing: run npm run docs`).toBe(true);
        expect(readFileSync(path, 'utf8')).toBe(rendered);
      });
      it('flags its own documentation example', () => {
        const { before, after, file, alsoChanged } = detector.meta.docs.example;
        const path = file ?? (detector.meta.scope === 'test' ? 'test/example.test.ts' : 'src/example.ts');
        const others = (alsoChanged ?? []).map((o) => ({ path: o.file, status: 'modified' as const, base: o.before, head: o.after }));
        const findings = loud(findingsOf(id, [{ path, status: 'modified', base: before, head: after }, ...others]));
        expect(findings.length).toBeGreaterThan(0);
      });
    });
  }

  it('is listed in the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = renderCatalogueTable([...DETECTORS, ...ANALYZERS].map((d) => d.meta));
    const start = '<!-- catalogue:start -->';
    const end = '<!-- catalogue:end -->';
    if (UPDATE && readme.includes(start)) {
      writeFileSync(join(ROOT, 'README.md'), readme.replace(new RegExp(`${start}[\\s\\S]*?${end}`), `${start}\n${table}\n${end}`));
      return;
    }
    expect(readme).toContain(`${start}\n${table}\n${end}`);
  });

  it('has a page on adding a detector, linked from the README, whose paths exist', () => {
    const page = readFileSync(join(ROOT, 'docs/adding-a-detector.md'), 'utf8');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('](docs/adding-a-detector.md)');
    const links = [...page.matchAll(/\]\((\.\.\/[^)#]+)\)/g)].map((m) => join(ROOT, 'docs', m[1]!));
    // Paths the page names in backticks (`src/core/detect/registry.ts`, `test/meta/catalogue.test.ts`); placeholders like <id> left out.
    const named = [...page.matchAll(/`((?:src|test|fixtures)\/[^`\s<>]+)`/g)].map((m) => join(ROOT, m[1]!));
    expect(links.length + named.length).toBeGreaterThan(5);
    for (const path of [...links, ...named]) expect(existsSync(path), path).toBe(true);
    // The meta-tests it describes are the ones that check the catalogue.
    for (const test of ['test/detectors/detectors.test.ts', 'test/meta/catalogue.test.ts', 'test/meta/architecture.test.ts'])
      expect(page).toContain(test);
  });
});
