/**
 * The `yaml` package's functions, taken once from its CommonJS exports object. Import them from here, not
 * with named imports from 'yaml' (eslint.config.js says so): the bundle compiles a named import of a
 * CommonJS package into a property getter, one getter function shared by every such package, and called
 * on every use. The YAML readers call theirs thousands of times per workflow file; with those calls and
 * the code detectors' calls of ts-morph's (also through that getter) in one process, every later ts-morph
 * access got slower: the code detectors took half as long again after the non-code analyzers had read a
 * few workflows (knex 9101f8, `npm run bench -- --only-noncode`). Bindings taken from the default export are
 * plain variables in the bundle, with no getter in between.
 */
import yaml from 'yaml';

export const { isMap, isScalar, isSeq, LineCounter, parse, parseAllDocuments, parseDocument, YAMLParseError } = yaml;
