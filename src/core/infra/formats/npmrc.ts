/**
 * An .npmrc (ini: `key=value`, `#` and `;` comments) as a map of settings with their lines. pnpm and yarn
 * classic read the same file; .yarnrc.yml is YAML and read with the YAML model.
 */
export interface Setting {
  value: string;
  line: number;
}

export function parseNpmrc(text: string): Map<string, Setting> {
  const settings = new Map<string, Setting>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const eq = line.indexOf('=');
    if (eq < 0) return;
    settings.set(line.slice(0, eq).trim().toLowerCase(), {
      value: line
        .slice(eq + 1)
        .trim()
        .replace(/^["']|["']$/g, '')
        .toLowerCase(),
      line: index + 1,
    });
  });
  return settings;
}

export function isNpmrcPath(path: string): boolean {
  return path === '.npmrc' || path.endsWith('/.npmrc');
}
