// The probe as one script, for a process the harness did not start: loaded
// through the Node inspector (harness/sampler/inspector-attach.ts) instead of
// `--import`. The same source as the preloaded probe (probe.ts and the one
// project module it imports, shared/errors.ts): types stripped by Node's own
// stripper, ES imports of node: built-ins turned into look-ups, the module
// bodies wrapped in one function. So an attached Node process is measured by
// exactly the code that measures a preloaded one, with nothing to install in
// it and no loader, whatever its Node version supports (≥ 20.16 / 22.3 for
// process.getBuiltinModule, the console's `require` before that).

import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { resolve } from 'node:path';

const PROBE = resolve(import.meta.dirname, 'probe.ts');
const ERRORS = resolve(import.meta.dirname, '../../shared/errors.ts');

/** Node 24 marks the stripper experimental and warns once per process: expected here, not news for the user. */
function strip(file: string): string {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (!text.includes('stripTypeScriptTypes')) (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return stripTypeScriptTypes(readFileSync(file, 'utf8'), { mode: 'strip' });
  } finally {
    process.emitWarning = emit;
  }
}

/** `import { a, b as c } from 'node:x';` → `const { a, b: c } = __builtin('node:x');`, `import x from 'node:y';` → `const x = __builtin('node:y');`. */
function rewriteImports(js: string, file: string): string {
  const out = js
    .replace(/^import\s*\{([^}]*)\}\s*from\s*'(node:[\w/]+)';/gm, (_m, names: string, mod: string) => {
      const list = names
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '')
        .map((n) => n.replace(/\s+as\s+/, ': '));
      return `const { ${list.join(', ')} } = __builtin('${mod}');`;
    })
    .replace(/^import\s+(\w+)\s+from\s*'(node:[\w/]+)';/gm, (_m, name: string, mod: string) => `const ${name} = __builtin('${mod}');`)
    .replace(/^import\s*\{\s*RelaySoakError\s*\}\s*from\s*'[./]+shared\/errors\.ts';/gm, '')
    .replace(/^export\s+(?=(class|function|const|let|async)\b)/gm, '');
  const left = /^\s*(import|export)\b.*$/m.exec(out);
  if (left) throw new Error(`probe bundle: ${file} has a statement the bundler does not handle: ${left[0].trim()}`);
  return out;
}

let cached: string | null = null;

/** The probe's JS, without activation: `probeBundle(socketPath)` wraps it for one target. */
function bundleBody(): string {
  cached ??= `${rewriteImports(strip(ERRORS), ERRORS)}\n${rewriteImports(strip(PROBE), PROBE)}`;
  return cached;
}

/**
 * An expression that, evaluated in a Node process, starts the probe listening
 * on `socketPath` and yields the process's pid. Loading it again replaces the
 * previous probe (probe.ts keeps one per process).
 */
export function probeBundle(socketPath: string): string {
  return [
    '(() => {',
    "'use strict';",
    "const __builtin = (name) => (typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule(name) : require(name));",
    `process.env.SOAK_PROBE_SOCKET = ${JSON.stringify(socketPath)};`,
    'delete process.env.SOAK_PROBE_MATCH;',
    bundleBody(),
    'return process.pid;',
    '})()',
  ].join('\n');
}

/** An expression that unloads the probe from the process it was loaded into; yields whether there was one. */
export const UNLOAD_PROBE = "(() => { const k = Symbol.for('soak.probe'); const p = globalThis[k]; if (p) { p.stop(); delete globalThis[k]; } return Boolean(p); })()";
