import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Merchants import @kassa/client on servers, without React or a DOM: the root entry must not reach
// the browser code, however many files away.
function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/\bfrom\s+'([^']+)'|\bimport\s*\(?\s*'([^']+)'/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
}

function reachable(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), `${specifier}.ts`));
      else packages.add(specifier);
    }
  };
  visit(entry);
  return { files: [...files], packages: [...packages] };
}

describe('the root entry', () => {
  it('reaches neither React nor the browser code', () => {
    const { files, packages } = reachable(resolve(import.meta.dirname, 'index.ts'));
    expect(files.some((file) => /[/\\](embed|react)[/\\]/.test(file))).toBe(false);
    expect(
      packages.filter(
        (name) => name === 'react' || name.startsWith('react/') || name.startsWith('react-dom'),
      ),
    ).toEqual([]);
  });
});
