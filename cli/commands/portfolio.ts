/** Portfolio commands: load the demo, list projects, indicators, users and templates. */
import { Option, type Command } from 'commander';
import { indicatorsList, loadDemoPortfolio, projectsList, usersList } from '../../app/portfolio.js';
import { DEMO_DATA_THROUGH } from '../../app/demo.js';
import { RbmError } from '../../domain/errors.js';
import { loadTemplates } from '../../templates/registry.js';
import { printJson, printTable, say } from '../output.js';
import { cliEnv, withDatabase } from '../session.js';

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
}
