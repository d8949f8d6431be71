// The runtime image installs `dependencies` only (npm ci --omit=dev). Everything the processes
// it runs can load must therefore be a production dependency; a devDependency imported by
// service code passes every test here and then fails in the container at start.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { JOBS, readRepositoryFile, repositoryRoot, serviceEntryPoint, SERVICES } from './manifests';

const maxFiles = 5_000;
const builtins = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

/** Module specifiers a TypeScript file loads at run time (type-only imports are erased). */
function runtimeSpecifiers(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const patterns = [
    /\b(?:import|export)\s+(?!type\s)[^;'"]*?\bfrom\s+['"]([^'"]+)['"]/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
    /\b(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((pattern) =>
    [...withoutComments.matchAll(pattern)].map((match) => match[1] ?? ''),
  );
}

function resolveSource(fromFile: string, specifier: string): string | undefined {
  const alias = /^@plafond\/([a-z-]+)$/.exec(specifier);
  const base = alias
    ? join(repositoryRoot, 'libs', alias[1] ?? '', 'src')
    : specifier.startsWith('.')
      ? join(dirname(fromFile), specifier)
      : undefined;
  if (base === undefined) return undefined;
  const candidate = [`${base}.ts`, join(base, 'index.ts')].find((path) => existsSync(path));
  if (candidate === undefined)
    throw new Error(`${relative(repositoryRoot, fromFile)}: ${specifier}`);
  return candidate;
}

const packageName = (specifier: string): string =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** Packages reachable from the entry files through relative and @plafond/* imports. */
function reachablePackages(entryFiles: readonly string[]): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = [...entryFiles];
  while (queue.length > 0) {
    if (seen.size > maxFiles) throw new Error(`import graph larger than ${maxFiles} files`);
    const file = queue.pop() ?? '';
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of runtimeSpecifiers(readFileSync(file, 'utf8'))) {
      if (specifier === '@plafond/testing') throw new Error(`${file} loads test support`);
      const local = resolveSource(file, specifier);
      if (local !== undefined) queue.push(local);
      else if (!specifier.startsWith('node:') && !builtins.has(packageName(specifier))) {
        packages.set(packageName(specifier), relative(repositoryRoot, file));
      }
    }
  }
  return packages;
}

describe('what the runtime image runs', () => {
  const manifest = JSON.parse(readRepositoryFile('package.json')) as {
    dependencies: Record<string, string>;
  };
  const entryFiles = [
    ...SERVICES.map(({ service }) => serviceEntryPoint(service)),
    ...JOBS.map(({ script }) => script),
    'dist/apps/console/server/main.js',
  ].map((script) => join(repositoryRoot, script.replace(/^dist\//, '').replace(/\.js$/, '.ts')));

  it('loads only production dependencies, from any entry point', () => {
    const packages = reachablePackages(entryFiles);
    expect(packages.size).toBeGreaterThan(0);
    const missing = [...packages]
      .filter(([name]) => manifest.dependencies[name] === undefined)
      .map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing).toEqual([]);
  });
});

describe('runtimeSpecifiers', () => {
  it('finds value imports, re-exports, side-effect imports and requires, not type imports', () => {
    const source = [
      "import 'reflect-metadata';",
      "import { A,\n  B } from 'typeorm';",
      "import type { C } from 'dev-only';",
      "export * from './local';",
      "// import { D } from 'commented-out';",
      "const e = require('pg');",
      "const f = await import('kafkajs');",
    ].join('\n');
    expect(runtimeSpecifiers(source).sort()).toEqual(
      ['./local', 'kafkajs', 'pg', 'reflect-metadata', 'typeorm'].sort(),
    );
  });
});
