// The run's own secrets besides its keys: what a user put on the --target-cmd
// command line or pulled into a --target-config template. The run folder
// redacts key-shaped tokens (`sk-…`, `Bearer …`, shared/redact.ts) whatever
// their origin, but a token need not look like a key: `UPSTREAM_TOKEN=abc123…`
// or `--api-token 7f3a…` in the command are recorded verbatim in run.json
// otherwise (issue #19). These values are added to the run's known secrets,
// so they are replaced wherever they appear (run.json, events, summary,
// report, progress lines).

/** Names that say their value is a secret. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH/i;

/** `NAME=value` assignments and `--name value` / `--name=value` flags of a shell command whose name says secret. */
export function commandSecrets(command: string): string[] {
  const out: string[] = [];
  const unquote = (v: string) => v.replace(/^(['"])(.*)\1$/, '$2');
  for (const m of command.matchAll(/(?:^|\s)(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g)) {
    if (SECRET_NAME.test(m[1]!)) out.push(unquote(m[2]!));
  }
  for (const m of command.matchAll(/(?:^|\s)--?([A-Za-z][A-Za-z0-9-]*)(?:=|\s+)("[^"]*"|'[^']*'|[^\s-]\S*)/g)) {
    if (SECRET_NAME.test(m[1]!)) out.push(unquote(m[2]!));
  }
  // A placeholder is not a secret: the harness fills it in (and knows the value).
  return [...new Set(out)].filter((v) => v !== '' && !/^\{[a-z_]+\}$/.test(v));
}
