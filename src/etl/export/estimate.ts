/** `export --plan`: what an export would cost, after a few probes and nothing else (issue 17, item 3). */
import type { KeapApi } from '../../api/types.js';
import { chooseGather, type GatherChoice, gatherInput } from './gather-plan.js';
import { planExport } from './plan.js';
import { readState } from './state.js';
import type { ExportRequest } from './types.js';

/** The plan (no request) and the gather estimate (only the probes' requests). */
export async function estimateExport(api: KeapApi, request: ExportRequest): Promise<GatherChoice> {
  const state = request.stateFile ? await readState(request.stateFile) : undefined;
  return chooseGather(api, gatherInput(request, planExport(request, state)), { probeAll: true });
}
