// Relays configured by file: `--target-config in.tmpl:out.json` (repeatable).
// Many gateways take their upstream URL and keys from a config file rather
// than flags or the environment (one-api's channels, a LiteLLM-style YAML, a
// Go relay's config.json). The harness knows the upstream's URL, the target's
// port and the keys only once the run starts, so it renders each template just
// before starting the target, replacing
//   {upstream}                   the fake upstream's base URL (also SOAK_UPSTREAM_URL)
//   {port}                       the port the target must listen on
//   {key} / {client_key}         the client key the load sends
//   {management_key}             the management key
//   ${NAME}                      the harness's environment variable NAME
// and writes it to out (the target reads it from there).
//
// Checked before anything starts (usage error, exit 2): the template is a
// readable file, every ${NAME} it uses is set, out's folder exists and is
// writable, out is not the template and not inside the run folder. The
// rendered file may hold secrets: it is written with mode 0600, never copied
// into the run folder, and only the two paths are recorded (in an event).

import { accessSync, constants, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve, isAbsolute } from 'node:path';
import { usageError } from '../errors.ts';
import { folderProblem } from '../run/writable-folder.ts';

export interface TargetConfigFile {
  /** Absolute paths. */
  template: string;
  output: string;
}

export interface TemplateValues {
  upstream: string;
  port: number;
  clientKey: string;
  managementKey: string;
  env: Readonly<Record<string, string | undefined>>;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const FLAG = '--target-config';

/** `in.tmpl:out.json` → two paths (not checked yet). */
export function parseTargetConfig(text: string): TargetConfigFile {
  const parts = text.split(':');
  if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') {
    throw usageError(`${FLAG}: expected TEMPLATE:OUTPUT (e.g. relay.tmpl.json:relay.json), got ${JSON.stringify(text)}`);
  }
  return { template: resolve(parts[0]!), output: resolve(parts[1]!) };
}

/** The ${NAME}s a template uses, in order of first use. */
export function envNamesIn(template: string): string[] {
  return [...new Set([...template.matchAll(ENV_REF)].map((m) => m[1]!))];
}

/**
 * Everything that can be checked before the run starts. Returns the
 * templates' texts, read once (a template edited mid-run does not change a
 * run already checked).
 */
export function checkTargetConfigs(files: readonly TargetConfigFile[], runDir: string, env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const outputs = new Set<string>();
  return files.map((f) => {
    const where = `${FLAG} ${f.template}:${f.output}`;
    let text: string;
    try {
      if (!statSync(f.template).isFile()) throw new Error('not a file');
      text = readFileSync(f.template, 'utf8');
    } catch (err) {
      const e = err as { code?: string; message: string };
      throw usageError(`${where}: template ${f.template}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    }
    const missing = envNamesIn(text).filter((n) => env[n] === undefined);
    if (missing.length > 0) throw usageError(`${where}: template uses \${${missing[0]}}, which is not set in the environment`);
    if (f.output === f.template) throw usageError(`${where}: the output would overwrite its template`);
    if (outputs.has(f.output)) throw usageError(`${where}: output ${f.output} is given twice`);
    outputs.add(f.output);
    const inRun = relative(resolve(runDir), f.output);
    if (inRun === '' || (!inRun.startsWith('..') && !isAbsolute(inRun))) {
      throw usageError(`${where}: output ${f.output} is inside the run folder ${runDir}: the rendered file may hold keys, and the run folder is shared`);
    }
    checkWritableFile(where, f.output);
    return text;
  });
}

function checkWritableFile(where: string, output: string): void {
  const stat = (p: string) => {
    try {
      return statSync(p);
    } catch {
      return null;
    }
  };
  const st = stat(output);
  if (st?.isDirectory()) throw usageError(`${where}: output ${output} is a directory`);
  const dir = dirname(output);
  const dirSt = stat(dir);
  // The output's folder must exist: the harness creates no folder for a file the target reads.
  if (dirSt === null) throw usageError(`${where}: output ${output}: folder ${dir} does not exist`);
  const problem = folderProblem(dir);
  if (problem !== null) throw usageError(`${where}: output ${output}: ${problem}`);
  if (st !== null) {
    try {
      accessSync(output, constants.W_OK);
    } catch (err) {
      throw usageError(`${where}: output ${output}: not writable (${(err as { code?: string }).code ?? 'access denied'})`);
    }
  }
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\{(upstream|port|key|client_key|management_key)\}/g;

/**
 * The template with every placeholder replaced, in one pass (a value that
 * itself contains `{port}` is left as it is). A ${NAME} not set was refused by
 * checkTargetConfigs.
 */
export function renderTemplate(template: string, v: TemplateValues): string {
  return template.replace(PLACEHOLDER, (_, env: string | undefined, name: string | undefined) => {
    if (env !== undefined) return v.env[env] ?? '';
    switch (name) {
      case 'upstream':
        return v.upstream;
      case 'port':
        return String(v.port);
      case 'management_key':
        return v.managementKey;
      default:
        return v.clientKey;
    }
  });
}

/** Render and write each file (0600: it may hold keys). */
export function writeTargetConfigs(files: readonly TargetConfigFile[], templates: readonly string[], v: TemplateValues): void {
  files.forEach((f, i) => writeFileSync(f.output, renderTemplate(templates[i]!, v), { mode: 0o600 }));
}

/**
 * Values of the environment that a template pulled in: secrets of the run
 * when their name says so (…KEY, …TOKEN, …SECRET, …PASSWORD), so that a
 * target echoing its config (an error message, a stderr tail) is redacted.
 */
export function secretEnvValues(templates: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const out: string[] = [];
  for (const t of templates) {
    for (const name of envNamesIn(t)) {
      const v = env[name];
      if (v !== undefined && /KEY|TOKEN|SECRET|PASSWORD|PASSWD|AUTH/i.test(name)) out.push(v);
    }
  }
  return out;
}
