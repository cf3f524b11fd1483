import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LocalFiles, SignalFile } from '../ports.js';

/**
 * The local files the analysis reads besides git objects: the hotspot and coverage files a user points
 * the gate at, and a `--config` file the base commit lacks. A directory of signals stands for the JSON
 * files in it, which is what NODE_V8_COVERAGE produces (one coverage-*.json per process).
 */
export const localFiles: LocalFiles = {
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
      throw error;
    }
  },
  readSignalFiles,
};

/** Reads each path (relative to `cwd`); unreadable ones are reported in `errors`, never thrown. */
async function readSignalFiles(paths: readonly string[], cwd: string): Promise<{ files: SignalFile[]; errors: string[] }> {
  const files: SignalFile[] = [];
  const errors: string[] = [];
  for (const given of paths) {
    const absolute = resolve(cwd, given);
    try {
      const info = await stat(absolute);
      if (info.isDirectory()) {
        const entries = (await readdir(absolute)).filter((entry) => entry.endsWith('.json')).sort();
        if (entries.length === 0) errors.push(`${given}: directory holds no .json file`);
        for (const entry of entries) files.push({ name: join(given, entry), text: await readFile(join(absolute, entry), 'utf8') });
      } else {
        files.push({ name: given, text: await readFile(absolute, 'utf8') });
      }
    } catch (error) {
      errors.push(`${given}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  }
  return { files, errors };
}
