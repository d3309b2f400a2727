/**
 * `rbm`: the command line of RBM Flow. Thin: parse, call a use case, print. Listing commands take
 * --json for scripts. Exit codes: see cli/output.ts and the README.
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import { cycleHistory, cycleStatus, decide, listReportCycles, startCycle } from '../app/cycles.js';
import { openAppContext } from '../app/context.js';
import { DEMO_DATA_THROUGH, DEMO_PERIOD, runDemo } from '../app/demo.js';
import { indicatorsList, loadDemoPortfolio, projectsList, usersList } from '../app/portfolio.js';
import { renderPreview } from '../app/reports.js';
import { migrateDatabase } from '../db/migrate.js';
import { RbmError } from '../domain/errors.js';
import { loadTemplates } from '../templates/registry.js';
import { publishServices, requireServices } from '../runtime/services.js';
import { startHttpServer } from '../web/server.js';
import { bootSystem, isEmptyPortfolio } from '../worker/system.js';
import { startWorker } from '../worker/worker.js';
import { printJson, printTable, reportError } from './output.js';
import { cliEnv, withApp, withDatabase } from './session.js';

const say = (line: string) => process.stdout.write(`${line}\n`);
const program = new Command('rbm')
  .description('RBM Flow: results-based monitoring and donor reporting on Temporal')
  .showHelpAfterError()
  .exitOverride();

program
  .command('demo')
  .description('run a quarterly report cycle for every demo project, approve each draft, write the final reports under out/')
  .option('--period <period>', 'the quarter to report on', DEMO_PERIOD)
  .action(async (o: { period: string }) => {
    const env = cliEnv();
    const system = await bootSystem(env.config, env.log, { worker: true });
    try {
      for (const s of system.services.started) say(`Started ${s}`);
      const ctx = await openAppContext(env.config, system.services, env.log);
      try {
        await runDemo(ctx, say, o.period);
      } finally {
        await ctx.close();
      }
    } finally {
      await system.stop();
    }
    say(system.services.started.length ? 'Stopped the services this demo started.' : 'Done.');
  });

program
  .command('start')
  .description('run RBM Flow in the foreground (PostgreSQL, Temporal, worker, HTTP) until Ctrl-C')
  .action(async () => {
    const env = cliEnv();
    const log = process.env.RBM_LOG_LEVEL ? env.log : env.log.child({}, { level: 'info' });
    let ready = false;
    const http = await startHttpServer({ port: env.config.port, isReady: () => ready });
    const system = await bootSystem(env.config, log, { worker: true }).catch(async (e) => {
      await http.close();
      throw e;
    });
    if (await isEmptyPortfolio(system.services.databaseUrl)) {
      const ctx = await openAppContext(env.config, system.services, log);
      const loaded = await loadDemoPortfolio(ctx, DEMO_DATA_THROUGH).finally(() => ctx.close());
      say(`First start: loaded the demo portfolio (${loaded.projects} projects, ${loaded.users} users; \`rbm users list\` shows them).`);
    }
    const unpublish = publishServices(env.config, system.services);
    ready = true;
    for (const s of system.services.started) say(`Started ${s}`);
    say(`RBM Flow is running: http://127.0.0.1:${env.config.port}/healthz${system.services.temporalUiUrl ? `, Temporal UI ${system.services.temporalUiUrl}` : ''}. Ctrl-C stops it.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    say('Stopping...');
    ready = false;
    unpublish();
    await http.close();
    await system.stop();
    say('Stopped.');
  });

program
  .command('worker')
  .description('run only the worker, against DATABASE_URL and TEMPORAL_ADDRESS (a deployment)')
  .action(async () => {
    const env = cliEnv();
    const endpoints = requireServices(env.config);
    await migrateDatabase(endpoints.databaseUrl, env.log);
    const worker = await startWorker({ ...endpoints, namespace: env.config.temporalNamespace, taskQueue: env.config.taskQueue, renderTaskQueue: env.config.renderTaskQueue, outDir: env.config.outDir, log: env.log });
    say(`Worker running on task queues ${env.config.taskQueue} and ${env.config.renderTaskQueue}. Ctrl-C stops it.`);
    const stop = () => void worker.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await worker.done;
  });

const db = program.command('db').description('database');
db.command('migrate').description('apply the database migrations').action(async () => {
  const env = cliEnv();
  const applied = await migrateDatabase(requireServices(env.config).databaseUrl, env.log);
  say(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
});

const portfolio = program.command('portfolio').description('portfolio data');
portfolio
  .command('load-demo')
  .description('load or refresh the demo portfolio (idempotent)')
  .option('--through <period>', 'load data up to this quarter', DEMO_DATA_THROUGH)
  .action(async (o: { through: string }) => {
    const loaded = await withDatabase(cliEnv(), (ctx) => loadDemoPortfolio(ctx, o.through));
    say(`Loaded ${loaded.projects} projects, ${loaded.indicators} indicators, ${loaded.users} users; values: ${loaded.values.inserted} new, ${loaded.values.revised} revised, ${loaded.values.unchanged} unchanged.`);
  });

const json = new Option('--json', 'print JSON for scripts');
program
  .command('projects')
  .description('projects')
  .command('list')
  .addOption(json)
  .action(async (o: { json?: boolean }) => {
    const rows = await withDatabase(cliEnv(), projectsList);
    if (o.json) return printJson(rows);
    printTable(rows.map((r) => ({ ...r, title: r.illustrative ? `${r.title} (illustrative)` : r.title })), ['code', 'altCode', 'title', 'startDate', 'endDate', 'donors', 'indicatorCount']);
  });

program
  .command('indicators')
  .description('indicators')
  .command('list')
  .requiredOption('--project <code>', 'project code, e.g. LY10P0542')
  .addOption(json)
  .action(async (o: { project: string; json?: boolean }) => {
    const rows = await withDatabase(cliEnv(), async (ctx) => {
      const list = await indicatorsList(ctx, o.project);
      if (!list.length && !(await projectsList(ctx)).some((p) => p.code === o.project)) throw new RbmError('not_found', `no project with code ${o.project} (see \`rbm projects list\`)`);
      return list;
    });
    if (o.json) return printJson(rows);
    printTable(rows.map((r) => ({ ...r, lopTarget: r.targets['LOP'] ?? '' })), ['code', 'resultCode', 'title', 'type', 'unit', 'baseline', 'lopTarget', 'timeAggregation']);
  });

program
  .command('users')
  .description('users')
  .command('list')
  .addOption(json)
  .action(async (o: { json?: boolean }) => {
    const rows = await withDatabase(cliEnv(), usersList);
    if (o.json) return printJson(rows);
    printTable(rows.map((u) => ({ ...u, roles: u.roles.map((r) => [r.role, r.projectCode ?? r.donorCode].filter(Boolean).join(':')) })), ['id', 'name', 'email', 'roles']);
  });

program
  .command('templates')
  .description('donor report templates')
  .command('list')
  .addOption(json)
  .action((o: { json?: boolean }) => {
    const rows = loadTemplates().map(({ id, title, audience, language }) => ({ id, title, audience, language }));
    if (o.json) return printJson(rows);
    printTable(rows, ['id', 'title', 'audience', 'language']);
  });

const report = program.command('report').description('reports');
report
  .command('render')
  .description('render a report without a workflow (a preview on the current data)')
  .requiredOption('--project <code>')
  .requiredOption('--period <period>')
  .option('--template <id>')
  .option('--out <dir>', 'output folder', 'out/preview')
  .action(async (o: { project: string; period: string; template?: string; out: string }) => {
    const paths = await withDatabase(cliEnv(), (ctx) => renderPreview(ctx, { projectCode: o.project, period: o.period, templateId: o.template, outDir: path.resolve(o.out) }));
    for (const p of paths) say(p);
  });

const cycle = program.command('cycle').description('report cycles');
cycle
  .command('start')
  .description('start the report cycle of a project, period and template (prints the cycle id)')
  .requiredOption('--project <code>')
  .requiredOption('--period <period>', 'e.g. 2025-Q3')
  .option('--template <id>')
  .option('--as <user>', 'who starts it', 'me.officer')
  .addOption(json)
  .action(async (o: { project: string; period: string; template?: string; as: string; json?: boolean }) => {
    const started = await withApp(cliEnv(), (ctx) => startCycle(ctx, { projectCode: o.project, period: o.period, templateId: o.template, startedBy: o.as }));
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
    say(`${s.cycleId}: ${s.state}, version ${s.version}`);
    if (s.state === 'awaiting_approval') say(`awaiting a decision from: ${s.approvers.join(', ')}`);
    for (const d of s.decisions) say(`  v${d.version} ${d.decision} by ${d.by} at ${d.at}${d.comment ? `: ${d.comment}` : ''}`);
    for (const f of s.deliveredTo) say(`  delivered: ${f}`);
  });
const decisionAction = (decision: 'approve' | 'return') => async (id: string, o: { as: string; comment?: string; json?: boolean }) => {
  const s = await withApp(cliEnv(), (ctx) => decide(ctx, id, { decision, by: o.as, comment: o.comment }));
  if (o.json) return printJson(s);
  say(`${s.cycleId}: ${decision === 'approve' ? 'approved' : 'returned'}; now ${s.state}`);
};
cycle.command('approve <id>').requiredOption('--as <user>').option('--comment <text>').addOption(json).action(decisionAction('approve'));
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
    printTable(events.map((e) => ({ ...e, detail: JSON.stringify(e.detail) })), ['at', 'actor', 'action', 'version', 'detail']);
  });

try {
  await program.parseAsync(process.argv);
  process.exitCode = 0;
} catch (e) {
  const code = (e as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') process.exitCode = 0;
  else if (typeof code === 'string' && code.startsWith('commander.')) process.exitCode = 2;
  else process.exitCode = reportError(e);
}
// Whatever a library leaves open (a socket in linger, a native runtime), the command is done.
setTimeout(() => process.exit(), 1000).unref();
