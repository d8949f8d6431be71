// Lets plain `node` run the TypeScript sources without a build step and without new packages:
// `.ts` files are transpiled on require by @swc/core (already a dev dependency, same options as
// jest through .swcrc), and the `@plafond/*` path aliases resolve to libs/*/src like in
// tsconfig.json. Used by `npm run bench` and by the relay crash test's child process.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..');
const aliases = {
  '@plafond/contracts': path.join(root, 'libs/contracts/src'),
  '@plafond/ledger': path.join(root, 'libs/ledger/src'),
  '@plafond/messaging': path.join(root, 'libs/messaging/src'),
  '@plafond/platform': path.join(root, 'libs/platform/src'),
  '@plafond/testing': path.join(root, 'test/support'),
};

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolveWithAliases(request, parent, isMain, options) {
  const target = Object.prototype.hasOwnProperty.call(aliases, request)
    ? aliases[request]
    : request;
  return originalResolve.call(this, target, parent, isMain, options);
};

const swcOptions = {
  sourceMaps: 'inline',
  jsc: {
    parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  swcrc: false,
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, { ...swcOptions, filename });
  module._compile(code, filename);
};
