/**
 * `rbm`: the command line of RBM Flow. Thin: parse, call a use case, print. Listing commands take
 * --json for scripts. Exit codes: see cli/output.ts and the README.
 */
import { Command } from 'commander';
import { registerCommonIndicatorCommands } from './commands/common-indicators.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerCycleCommands } from './commands/cycles.js';
import { registerDeliveryCommands } from './commands/delivery.js';
import { registerDonorCommands } from './commands/donors.js';
import { registerImportCommands } from './commands/import.js';
import { registerLogframeCommands } from './commands/logframe.js';
import { registerExportCommands } from './commands/export.js';
import { registerPortfolioCommands } from './commands/portfolio.js';
import { registerReportCommands } from './commands/reports.js';
import { registerSourceCommands } from './commands/sources.js';
import { registerSystemCommands } from './commands/system.js';
import { registerValueCommands } from './commands/values.js';
import { reportError } from './output.js';

// `rbm ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const program = new Command('rbm')
  .description('RBM Flow: results-based monitoring and donor reporting on Temporal')
  .showHelpAfterError()
  .exitOverride();

registerSystemCommands(program);
registerPortfolioCommands(program);
registerReportCommands(program);
registerCycleCommands(program);
registerImportCommands(program);
registerExportCommands(program);
registerLogframeCommands(program);
registerCommonIndicatorCommands(program);
registerValueCommands(program);
registerDonorCommands(program);
registerDeliveryCommands(program);
registerSourceCommands(program);
registerClusterCommands(program);

try {
  await program.parseAsync(process.argv);
  process.exitCode ??= 0; // a command may have set its own (e.g. 3: some rows rejected)
} catch (e) {
  const code = (e as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') process.exitCode = 0;
  else if (typeof code === 'string' && code.startsWith('commander.')) process.exitCode = 2;
  else process.exitCode = reportError(e);
}
// Whatever a library leaves open (a socket in linger, a native runtime), the command is done.
setTimeout(() => process.exit(), 1000).unref();
