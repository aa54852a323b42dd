// The target's own vitals for one run (--target-metrics, --target-pprof,
// --judge-metric): where its Prometheus series are scraped, whether its
// net/http/pprof answers, and what run.json says about both (RunMeta.vitals,
// which the verdict reads the chosen series from). Called once the target
// listens, before the first checkpoint.

import { join } from 'node:path';
import type { TargetSources } from '../run/target-sources.ts';
import { PprofSource } from '../sampler/pprof.ts';
import { PPROF_DIR } from '../run/run-folder.ts';
import { parseJudgeMetrics, resolveVitals, shownUrl } from '../sampler/target-metrics.ts';
import type { RunContext } from './context.ts';

export async function attachVitals(ctx: RunContext, sources: TargetSources): Promise<void> {
  const o = ctx.options;
  const judge = parseJudgeMetrics(o.judgeMetrics ?? []);
  if (o.targetMetrics === undefined && o.targetPprof === undefined && judge.length === 0) return;
  const r = resolveVitals(o, sources.targetUrl);
  if (r.metricsUrl !== null) {
    sources.metricsUrl = r.metricsUrl;
    // Asked for by name: scraped at every sample even if it is slow to come up.
    sources.hasMetrics = true;
    if ((await sources.metrics()) === null) ctx.event('warning', `--target-metrics: ${shownUrl(r.metricsUrl)} did not answer a Prometheus scrape at start; it is tried again at every sample`);
  }
  let pprofUrl: string | null = null;
  if (r.pprofUrl !== null) {
    const pprof = new PprofSource(r.pprofUrl, { saveDir: join(ctx.folder.dir, PPROF_DIR) });
    if (await pprof.available()) {
      sources.pprof = pprof;
      pprofUrl = r.pprofUrl;
      ctx.event('info', `net/http/pprof at ${shownUrl(r.pprofUrl)}: goroutines and the heap by site are read at every checkpoint (raw profiles kept in ${PPROF_DIR}/)`);
    } else if (!r.pprofDerived) {
      ctx.event('warning', `--target-pprof: ${shownUrl(r.pprofUrl)} did not answer like net/http/pprof (/goroutine?debug=1); goroutines and heap sites are not read`);
    }
  }
  ctx.meta.vitals = { metricsUrl: r.metricsUrl === null ? null : shownUrl(r.metricsUrl), pprofUrl: pprofUrl === null ? null : shownUrl(pprofUrl), judge };
}
