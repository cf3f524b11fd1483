import picomatch from 'picomatch';

/** Paths that hold tests by the common conventions of the JavaScript ecosystem. */
const TEST_PATH = /(^|\/)(__tests__|__mocks__|tests?|spec|e2e|cypress|playwright)\/|\.(test|spec|e2e|cy)\.[cm]?[jt]sx?$|(^|\/)test\.[cm]?[jt]sx?$/;

/** Whether a repo-relative path is a test file, by convention or by the configured globs. */
export function isTestPath(path: string, patterns: readonly string[] = []): boolean {
  if (TEST_PATH.test(path)) return true;
  return patterns.length > 0 && picomatch(patterns as string[], { dot: true })(path);
}
