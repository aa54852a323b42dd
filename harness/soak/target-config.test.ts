// --target-config: parsing `in:out`, the checks made before anything starts,
// one-pass rendering, and which environment values become run secrets.

import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTargetConfigs, envNamesIn, parseTargetConfig, renderTemplate, secretEnvValues, writeTargetConfigs } from './target-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'soak-tconfig-'));
const tmpl = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const values = { upstream: 'http://127.0.0.1:4000', port: 5123, clientKey: 'sk-client-000000', managementKey: 'mk-admin-000000', env: { TOKEN: 'tok-{port}', HOME_DIR: '/h' } };

describe('target config templates', () => {
  it('renders every placeholder in one pass (a value holding "{port}" stays as it is)', () => {
    const t = '{"upstream":"{upstream}/v1","listen":{port},"keys":["{key}","{client_key}"],"admin":"{management_key}","token":"${TOKEN}","home":"${HOME_DIR}","keep":"{other}"}';
    expect(JSON.parse(renderTemplate(t, values))).toEqual({
      upstream: 'http://127.0.0.1:4000/v1',
      listen: 5123,
      keys: ['sk-client-000000', 'sk-client-000000'],
      admin: 'mk-admin-000000',
      token: 'tok-{port}',
      home: '/h',
      keep: '{other}',
    });
    expect(envNamesIn(t)).toEqual(['TOKEN', 'HOME_DIR']);
  });

  it('parses TEMPLATE:OUTPUT into absolute paths and refuses anything else', () => {
    expect(parseTargetConfig('a.tmpl:b.json')).toEqual({ template: join(process.cwd(), 'a.tmpl'), output: join(process.cwd(), 'b.json') });
    for (const bad of ['a.tmpl', ':b', 'a:', 'a:b:c']) expect(() => parseTargetConfig(bad)).toThrow(/--target-config: expected TEMPLATE:OUTPUT/);
  });

  it('checks before the run: template readable, variables set, output writable and outside the run folder', () => {
    const ok = { template: tmpl('ok.tmpl', '{"t":"${TOKEN}"}'), output: join(dir, 'ok.json') };
    expect(checkTargetConfigs([ok], join(dir, 'run'), values.env)).toEqual(['{"t":"${TOKEN}"}']);
    expect(() => checkTargetConfigs([ok], join(dir, 'run'), {})).toThrow(/uses \$\{TOKEN\}, which is not set/);
    expect(() => checkTargetConfigs([{ ...ok, template: join(dir, 'missing.tmpl') }], join(dir, 'run'), values.env)).toThrow(/no such file/);
    expect(() => checkTargetConfigs([{ ...ok, output: join(dir, 'run', 'cfg.json') }], join(dir, 'run'), values.env)).toThrow(/inside the run folder/);
    expect(() => checkTargetConfigs([{ ...ok, output: join(dir, 'nope', 'cfg.json') }], join(dir, 'run'), values.env)).toThrow(/folder .*nope does not exist/);
    mkdirSync(join(dir, 'a-dir'));
    expect(() => checkTargetConfigs([{ ...ok, output: join(dir, 'a-dir') }], join(dir, 'run'), values.env)).toThrow(/is a directory/);
    expect(() => checkTargetConfigs([ok, ok], join(dir, 'run'), values.env)).toThrow(/given twice/);
  });

  it('writes the rendered file with mode 0600 (it may hold keys)', () => {
    const f = { template: tmpl('w.tmpl', 'key={key}'), output: join(dir, 'w.cfg') };
    writeTargetConfigs([f], ['key={key}'], values);
    expect(readFileSync(f.output, 'utf8')).toBe('key=sk-client-000000');
    expect(statSync(f.output).mode & 0o777).toBe(0o600);
  });

  it('environment values a template pulls in are secrets when their name says so', () => {
    expect(secretEnvValues(['${TOKEN} ${HOME_DIR} ${API_KEY}'], { TOKEN: 'tok-1', HOME_DIR: '/h', API_KEY: 'k-2' })).toEqual(['tok-1', 'k-2']);
  });
});
