/** Portfolio commands: load the demo, list projects, indicators, users and templates. */
import { Option, type Command } from 'commander';
import { indicatorsList, loadDemoPortfolio, projectsList, usersList } from '../../app/portfolio.js';
import { DEMO_DATA_THROUGH } from '../../app/demo.js';
import { loadSynthPortfolio } from '../../app/synth.js';
import { RbmError } from '../../domain/errors.js';
import { loadTemplates } from '../../templates/registry.js';
import { printJson, printTable, say } from '../output.js';
import { cliEnv, withDatabase } from '../session.js';
import { registerUserCredentialCommands } from './users.js';

export function registerPortfolioCommands(program: Command): void {
  const portfolio = program.command('portfolio').description('portfolio data');
  portfolio
    .command('load-demo')
    .description('load or refresh the demo portfolio (idempotent)')
    .option('--through <period>', 'load data up to this quarter', DEMO_DATA_THROUGH)
    .action(async (o: { through: string }) => {
      const loaded = await withDatabase(cliEnv(), (ctx) => loadDemoPortfolio(ctx, o.through));
      say(`Loaded ${loaded.projects} projects, ${loaded.indicators} indicators, ${loaded.commonIndicators} common indicators, ${loaded.users} users; values: ${loaded.values.inserted} new, ${loaded.values.revised} revised, ${loaded.values.unchanged} unchanged.`);
    });

  portfolio
    .command('synth')
    .description('create or refresh a synthetic portfolio, deterministic from the seed (benchmarks; idempotent); refuses a database with other projects unless --force')
    .requiredOption('--projects <n>', 'number of projects (SYN0001...)')
    .option('--indicators <n>', 'indicators per project', '10')
    .option('--quarters <n>', 'quarters of data per project, ending 2025-Q4', '12')
    .option('--seed <s>', 'seed of the generator', '1')
    .option('--force', 'add it to a database that holds projects that are not synthetic')
    .action(async (o: { projects: string; indicators: string; quarters: string; seed: string; force?: boolean }) => {
      const whole = (name: string, v: string) => {
        if (!/^[0-9]+$/.test(v) || Number(v) < 1) throw new RbmError('invalid_input', `--${name} takes a whole number >= 1 (got ${v})`);
        return Number(v);
      };
      const opts = { projects: whole('projects', o.projects), indicators: whole('indicators', o.indicators), quarters: whole('quarters', o.quarters), seed: o.seed, force: o.force };
      const loaded = await withDatabase(cliEnv(), (ctx) => loadSynthPortfolio(ctx, opts));
      say(`Synthetic portfolio (seed ${o.seed}): ${loaded.projects} projects, ${loaded.indicators} indicators, ${loaded.agreements} agreements, ${loaded.users} users (${loaded.usersWritten} written), quarters ${loaded.quarters[0]} to ${loaded.quarters[loaded.quarters.length - 1]}; values: ${loaded.values.inserted} new, ${loaded.values.revised} revised, ${loaded.values.unchanged} unchanged.`);
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
      printTable(rows.map((r) => ({ ...r, lopTarget: r.targets['LOP'] ?? '', frequency: r.reportingFrequency, common: r.commonIndicatorCode ?? '' })),
        ['code', 'resultCode', 'title', 'type', 'unit', 'baseline', 'lopTarget', 'timeAggregation', 'frequency', 'common']);
    });

  const users = program.command('users').description('users and their credentials');
  registerUserCredentialCommands(users);
  users
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
}
