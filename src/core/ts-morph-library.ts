/**
 * TypeScript's compiler API (`ts`) as ts-morph ships it, taken once from ts-morph's CommonJS exports. Import
 * it from here, not with `import { ts } from 'ts-morph'` (eslint.config.js says so), for the reason of
 * src/core/yaml-library.ts: the bundle compiles a named import of a CommonJS package into a property
 * getter, one getter function shared by every such package, and the code detectors read `ts` through it at
 * some 1,600 places on every node they look at. When another package's getters also run hot (the
 * Dockerfile parser reaches its vscode-languageserver-types through the same kind of getter), every such
 * read slows down for the rest of the process. Bound here, `ts` is a plain variable of the bundle.
 */
import * as tsMorph from 'ts-morph';

export import ts = tsMorph.ts;
