/**
 * A function that remembers its last results, by a key of its arguments (the text parsed, or a path and
 * the text). Several analyzers read the same file (seven a changed workflow, removed-ci-check every
 * workflow of the tree once per changed one, each env analyzer every changed source file), and in a
 * one-shot process each parse also runs cold: sharing them was most of what the non-code analyzers cost
 * (`npm run bench -- --only-noncode`). A call that throws is not kept and throws again. Callers share a
 * result: none may change it. `known` answers without computing or keeping anything, for a caller whose
 * results are too many to keep.
 */
export function memoize<A extends unknown[], T>(
  compute: (...args: A) => T,
  keyOf: (...args: A) => string,
  capacity = 256,
): ((...args: A) => T) & { known(...args: A): T | undefined } {
  const results = new Map<string, T>();
  const remembering = (...args: A): T => {
    const key = keyOf(...args);
    if (results.has(key)) return results.get(key)!;
    const result = compute(...args);
    // Past the capacity the oldest is forgotten: a pull request reads far fewer files.
    if (results.size >= capacity) results.delete(results.keys().next().value!);
    results.set(key, result);
    return result;
  };
  return Object.assign(remembering, { known: (...args: A): T | undefined => results.get(keyOf(...args)) });
}

/** The key of a parse that depends on the text only (the side only names the version in an error). */
export const byText = (text: string): string => text;

/** The key of a parse that depends on the path too (its extension, its name). */
export const byPathAndText = (path: string, text: string): string => `${path}\0${text}`;
