// Query filters: the names a filter object is held in before it is passed to a query or a write.

/** Names of variables that hold a query filter before it is passed: `const where = { … }`, `conditions`. */
export function isWhereVariableName(name: string): boolean {
  return /^(?:where|\w*Where|conditions?|criteria|filters?)$/.test(name);
}
