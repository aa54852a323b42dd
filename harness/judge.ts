// Temporary: harness/soak is being split; importers move to harness/judge/index.ts.
import { judgeRun } from './judge/index.ts';
export const judgeRunFolder = (dir: string) => judgeRun(dir);
