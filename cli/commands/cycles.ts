/** Report cycle commands: start, status, decide, list, history. */
import { Option, type Command } from 'commander';
import { cancelCycle, cycleHistory, cycleStatus, decide, listReportCycles, resubmit, startCycle, startPortfolioCycles } from '../../app/cycles.js';
import { RbmError } from '../../domain/errors.js';
import { formatCycleHistory } from '../cycle-history.js';
import { printJson, printTable, say } from '../output.js';
import { cliEnv, withApp, withDatabase } from '../session.js';

export function registerCycleCommands(program: Command): void {
  const json = new Option('--json', 'print JSON for scripts');
  const cycle = program.command('cycle').description('report cycles');
  cycle
    .command('start')
    .description('start the report cycle of a project (or of every active project: --all) for a period and template (prints the cycle ids)')
    .option('--project <code>', 'the project (repeat with --all to pick several)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--all', 'every active project whose dates cover the period (8 starts at a time); exit 3 when some could not be started')
    .requiredOption('--period <period>', 'e.g. 2025-Q3')
    .option('--template <id>')
    .option('--as <user>', 'who starts it', 'me.officer')
    .option('--due <date>', 'due date (YYYY-MM-DD); default: 30 days after the period ends')
    .addOption(json)
    .action(async (o: { project?: string[]; all?: boolean; period: string; template?: string; as: string; due?: string; json?: boolean }) => {
      if (o.due && !/^\d{4}-\d{2}-\d{2}$/.test(o.due)) throw new RbmError('invalid_input', `--due ${o.due}: write the date as YYYY-MM-DD`);
      const command = { period: o.period, templateId: o.template, startedBy: o.as, dueDate: o.due };
      if (o.all) {
        const cycles = await withApp(cliEnv(), (ctx) => startPortfolioCycles(ctx, { ...command, projects: o.project }));
        const failed = cycles.filter((c) => c.error);
        if (failed.length) process.exitCode = 3;
        if (o.json) return printJson({ period: o.period, started: cycles.filter((c) => c.started).length, existing: cycles.filter((c) => !c.started && !c.error).length, failed: failed.length, cycles });
        for (const c of cycles) say(c.error ? `${c.projectCode}: not started: ${c.error}` : `${c.cycleId}${c.started ? '' : ` (already existed; ${c.state})`}`);
        return say(`${cycles.length - failed.length} of ${cycles.length} project(s) have their ${o.period} cycle${failed.length ? `; ${failed.length} could not be started` : ''}`);
      }
      if (o.project?.length !== 1) throw new RbmError('invalid_input', 'name one --project, or start every project\'s cycle with --all');
      const started = await withApp(cliEnv(), (ctx) => startCycle(ctx, { ...command, projectCode: o.project![0]! }));
      if (o.json) return printJson(started);
      say(started.cycleId);
      if (!started.started) process.stderr.write(`(this cycle already existed; it is ${started.state})\n`);
    });
  cycle
    .command('status <id>')
    .addOption(json)
    .action(async (id: string, o: { json?: boolean }) => {
      const s = await withApp(cliEnv(), (ctx) => cycleStatus(ctx, id));
      if (o.json) return printJson(s);
      say(`${s.cycleId}: ${s.state}, version ${s.version}${s.dueDate ? `, due ${s.dueDate}${s.overdue ? ' (OVERDUE)' : ''}` : ''}`);
      if (s.state === 'awaiting_approval') {
        say(`awaiting a decision at step ${(s.stepIndex ?? 0) + 1}/${s.stepCount ?? 1} "${s.stepName ?? ''}" from: ${s.approvers.join(', ')}${s.escalated ? ' (escalated)' : ''}`);
      }
      if (s.state === 'returned') say('returned: waiting for an M&E officer to fix the data and resubmit');
      if (s.cancelled) say(`cancelled by ${s.cancelled.by}: ${s.cancelled.reason}`);
      for (const d of s.decisions) say(`  v${d.version} ${d.decision} by ${d.by} at ${d.at}${d.comment ? `: ${d.comment}` : ''}`);
      for (const f of s.deliveredTo) say(`  delivered: ${f}`);
    });
  const decisionAction = (decision: 'approve' | 'return') => async (id: string, o: { as: string; comment?: string; json?: boolean }) => {
    const s = await withApp(cliEnv(), (ctx) => decide(ctx, id, { decision, by: o.as, comment: o.comment }));
    if (o.json) return printJson(s);
    say(`${s.cycleId}: ${decision === 'approve' ? 'approved' : 'returned'}; now ${s.state}`);
  };
  cycle.command('approve <id>').requiredOption('--as <user>').option('--comment <text>').addOption(json).action(decisionAction('approve'));
  cycle
    .command('resubmit <id>')
    .description('resubmit a returned cycle once the data is fixed: gathers and renders a new version')
    .requiredOption('--as <user>')
    .option('--comment <text>')
    .addOption(json)
    .action(async (id: string, o: { as: string; comment?: string; json?: boolean }) => {
      const s = await withApp(cliEnv(), (ctx) => resubmit(ctx, id, { by: o.as, comment: o.comment }));
      if (o.json) return printJson(s);
      say(`${s.cycleId}: resubmitted; now ${s.state}`);
    });
  cycle
    .command('cancel <id>')
    .requiredOption('--as <user>')
    .requiredOption('--reason <text>')
    .addOption(json)
    .action(async (id: string, o: { as: string; reason: string; json?: boolean }) => {
      const s = await withApp(cliEnv(), (ctx) => cancelCycle(ctx, id, { by: o.as, reason: o.reason }));
      if (o.json) return printJson(s);
      say(`${s.cycleId}: cancelled`);
    });
  cycle.command('return <id>').requiredOption('--as <user>').requiredOption('--comment <text>', 'what to fix').addOption(json).action(decisionAction('return'));
  cycle
    .command('list')
    .option('--state <state>')
    .option('--project <code>')
    .addOption(json)
    .action(async (o: { state?: string; project?: string; json?: boolean }) => {
      const rows = await withDatabase(cliEnv(), (ctx) => listReportCycles(ctx, { state: o.state, projectCode: o.project }));
      if (o.json) return printJson(rows);
      printTable(rows, ['id', 'state', 'currentVersion', 'startedBy', 'updatedAt']);
    });
  cycle
    .command('history <id>')
    .description('the audit trail of a cycle')
    .addOption(json)
    .action(async (id: string, o: { json?: boolean }) => {
      const events = await withDatabase(cliEnv(), (ctx) => cycleHistory(ctx, id));
      if (o.json) return printJson(events);
      if (!events.length) throw new RbmError('not_found', `no history for cycle ${id} (see \`rbm cycle list\`)`);
      // One block per event with its detail whole (a return comment is read here, not cut at a column width).
      for (const line of formatCycleHistory(events, process.stdout.columns ?? 100)) say(line);
    });
}
