/** Data sources: their Temporal Schedules, a run now, pause/resume, and the gather log. */
import { Option, type Command } from 'commander';
import { gatherLog, pauseSource, resumeSource, runSource, sourcesList, syncSourceSchedules } from '../../app/sources.js';
import { RbmError } from '../../domain/errors.js';
import { printJson, printTable, say } from '../output.js';
import { withStatus } from '../progress.js';
import { cliEnv, withApp, withDatabase } from '../session.js';

export function registerSourceCommands(program: Command): void {
  const json = new Option('--json', 'print JSON for scripts');
  const sources = program.command('sources').description('where projects\' indicator data is gathered from (RBM_SOURCES_FILE, default sources.json), on Temporal Schedules');
  sources
    .command('list')
    .description('the configured sources with their schedule, state and last run')
    .addOption(json)
    .action(async (o: { json?: boolean }) => {
      const rows = await withApp(cliEnv(), sourcesList);
      if (o.json) return printJson(rows);
      printTable(
        rows.map((r) => ({
          ...r, state: r.scheduleId === null ? 'manual' : r.paused === null ? 'not synced' : r.paused ? 'paused' : 'active',
          last: r.lastRun ? `${r.lastRun.status} ${r.lastRun.finishedAt ?? r.lastRun.startedAt}` : '', lastError: r.lastRun?.error ?? '',
        })),
        ['id', 'kind', 'project', 'schedule', 'state', 'nextRun', 'last', 'lastError'],
      );
    });
  sources
    .command('sync')
    .description('create, update and delete the Temporal Schedules to match the sources file (idempotent)')
    .action(async () => {
      const r = await withApp(cliEnv(), (ctx) => syncSourceSchedules(ctx));
      say(`source schedules: ${r.created.length} created, ${r.updated.length} updated, ${r.deleted.length} deleted`);
    });
  sources
    .command('run <id>')
    .description('gather a source now (joins a run of it already under way) and wait for the result')
    .option('--no-wait', 'print the workflow id and return at once')
    .addOption(json)
    .action(async (id: string, o: { wait: boolean; json?: boolean }) => {
      const r = await withStatus(process.stderr, `Gathering source ${id}: fetching and importing its data (a Temporal workflow)`, () =>
        withApp(cliEnv(), (ctx) => runSource(ctx, id, { wait: o.wait })), { enabled: o.wait && !o.json });
      if (o.json) return printJson(r);
      if (!r.log) return say(`gather run started: workflow ${r.workflowId} (run ${r.runId}); \`rbm sources log --source ${id}\` shows it`);
      const l = r.log;
      if (l.status === 'failed') {
        throw new RbmError('refused', `source ${id} failed: ${l.error ?? 'unknown error'} (gather log #${l.id})`);
      }
      say(`source ${id}: ${l.fetched ?? 0} fetched, ${l.accepted} accepted, ${l.rejected} rejected, ${l.unchanged} unchanged${l.skipped ? `, ${l.skipped} skipped` : ''} (gather log #${l.id})`);
    });
  sources
    .command('pause <id>')
    .description('pause the source\'s schedule')
    .option('--note <text>', 'why (shown in Temporal)')
    .action(async (id: string, o: { note?: string }) => {
      await withApp(cliEnv(), (ctx) => pauseSource(ctx, id, o.note));
      say(`source ${id}: schedule paused`);
    });
  sources
    .command('resume <id>')
    .description('resume the source\'s schedule')
    .option('--note <text>', 'why (shown in Temporal)')
    .action(async (id: string, o: { note?: string }) => {
      await withApp(cliEnv(), (ctx) => resumeSource(ctx, id, o.note));
      say(`source ${id}: schedule resumed`);
    });
  sources
    .command('log')
    .description('the gather log: each run with its counts or its error, latest first')
    .option('--source <id>')
    .option('--limit <n>', 'how many runs', '50')
    .addOption(json)
    .action(async (o: { source?: string; limit: string; json?: boolean }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new RbmError('invalid_input', '--limit takes a whole number above 0');
      const rows = await withDatabase(cliEnv(), (ctx) => gatherLog(ctx, { sourceId: o.source, limit }));
      if (o.json) return printJson(rows);
      printTable(rows, ['id', 'sourceId', 'status', 'startedAt', 'finishedAt', 'fetched', 'accepted', 'rejected', 'unchanged', 'skipped', 'error']);
    });
}
