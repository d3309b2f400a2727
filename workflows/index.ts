// The workflows the worker registers (bundled for Temporal's sandbox: no Node built-ins below here).
export { reportCycleWorkflow } from './report-cycle.js';
export { agreementCycleWorkflow } from './agreement-cycle.js';
export { gatherSourceWorkflow, gatherProjectWorkflow } from './gather-source.js';
export { donorDigestWorkflow } from './donor-digest.js';
