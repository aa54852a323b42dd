// The <head> every page shares: the Content-Security-Policy that keeps a page
// offline, light/dark, no favicon request, what built it, its title and styles.

import { esc } from './html.ts';

export interface PageHead {
  csp: string;
  /** Who built it and which data format: `relay-soak reports/ (Node v24…, data format 1, …)`. Escaped here. */
  generator: string;
  /** Escaped here. */
  title: string;
  /** Style sheets, inlined in order. */
  styles: readonly string[];
}

export function pageHead(h: PageHead): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${h.csp}">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<meta name="generator" content="${esc(h.generator)}">
<title>${esc(h.title)}</title>
${h.styles.map((s) => `<style>${s}</style>`).join('\n')}
</head>`;
}
