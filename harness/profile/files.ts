// What a profiled run left in profile/, and the line under its verdict.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RunMeta } from '../run/meta.ts';

/** Files and clinic's HTML in <run>/profile/, as paths relative to the run folder, sorted. */
export function profileFiles(runDir: string): string[] {
  try {
    return readdirSync(join(runDir, 'profile'), { withFileTypes: true })
      .filter((e) => e.isFile() || e.name.endsWith('.html'))
      .map((e) => `profile/${e.name}`)
      .sort();
  } catch {
    return [];
  }
}

export function profiledLine(p: NonNullable<RunMeta['profile']>): string {
  const tool = p.tool === 'clinic' ? `clinic ${p.mode}` : p.files.some((f) => f.endsWith('.heapprofile')) || p.mode === 'heap' || p.mode === 'heapprofiler' ? 'node --heap-prof' : 'node --cpu-prof';
  return `profiled with ${tool}${p.fallback ? ` (${p.fallback})` : ''}: the profiler's cost is in these figures; ${p.files.length > 0 ? `outputs: ${p.files.join(', ')}` : 'no profile was written (the target did not exit cleanly)'}`;
}
