/** Donor agreements (with their schedules) and deliveries. */
import { Option, type Command } from 'commander';
import { addAgreement, agreementsList, deliveriesList, retryDelivery, syncAgreementSchedules } from '../../app/agreements.js';
import { RbmError } from '../../domain/errors.js';
import { agreementScheduleId, scheduleCalendar } from '../../domain/agreements.js';
import { requireServices } from '../../runtime/services.js';
import { printJson, printTable, say } from '../output.js';
import { cliEnv, withApp, withDatabase } from '../session.js';

export function registerDeliveryCommands(program: Command): void {
  const json = new Option('--json', 'print JSON for scripts');
  const agreements = program.command('agreements').description('donor agreements: which report each donor receives, how often, when due');
  agreements
    .command('list')
    .addOption(json)
    .action(async (o: { json?: boolean }) => {
      const rows = await withDatabase(cliEnv(), agreementsList);
      if (o.json) return printJson(rows.map((a) => ({ ...a, scheduleId: agreementScheduleId(a) })));
      printTable(rows.map((a) => ({ ...a, startsOnDay: scheduleCalendar(a).dayOfMonth })), ['id', 'donorCode', 'projectCode', 'templateId', 'frequency', 'dueDays', 'leadDays', 'startsOnDay', 'sendExcel']);
    });
  agreements
    .command('add')
    .description('add or change an agreement; its Temporal Schedule follows')
    .requiredOption('--donor <code>')
    .requiredOption('--project <code>')
    .option('--template <id>', 'report template', 'iom-donor-report')
    .addOption(new Option('--frequency <f>', 'reporting frequency').choices(['quarterly', 'semiannual', 'annual']).default('quarterly'))
    .option('--due-days <n>', 'due this many days after the period ends', '30')
    .option('--lead-days <n>', 'start the cycle this many days before it is due', '15')
    .option('--excel', 'attach the Excel workbook too')
    .action(async (o: { donor: string; project: string; template: string; frequency: 'quarterly' | 'semiannual' | 'annual'; dueDays: string; leadDays: string; excel?: boolean }) => {
      const dueDays = Number(o.dueDays);
      const leadDays = Number(o.leadDays);
      if (!Number.isInteger(dueDays) || !Number.isInteger(leadDays)) throw new RbmError('invalid_input', '--due-days and --lead-days take whole numbers of days');
      const a = await withApp(cliEnv(), (ctx) => addAgreement(ctx, { donorCode: o.donor, projectCode: o.project, templateId: o.template, frequency: o.frequency, dueDays, leadDays, sendExcel: Boolean(o.excel) }));
      say(`agreement ${a.id}: ${a.donorCode} receives ${a.projectCode} (${a.templateId}) ${a.frequency}; schedule ${agreementScheduleId(a)}`);
    });
  agreements
    .command('sync')
    .description('create, update and delete the Temporal Schedules to match the agreements (idempotent)')
    .action(async () => {
      const r = await withApp(cliEnv(), syncAgreementSchedules);
      say(`schedules: ${r.created.length} created, ${r.updated.length} updated, ${r.deleted.length} deleted`);
    });

  const deliveries = program.command('deliveries').description('reports delivered to the outbox and to donors');
  deliveries
    .command('list')
    .option('--cycle <id>')
    .option('--state <state>', 'pending, sending, sent, unconfirmed or failed')
    .addOption(json)
    .action(async (o: { cycle?: string; state?: string; json?: boolean }) => {
      const rows = await withDatabase(cliEnv(), (ctx) => deliveriesList(ctx, { cycleId: o.cycle, state: o.state }));
      if (o.json) return printJson(rows);
      printTable(rows, ['id', 'cycleId', 'version', 'channel', 'recipient', 'state', 'attempts', 'sentAt', 'error']);
    });
  deliveries
    .command('retry <id>')
    .description('resend one e-mail delivery deliberately')
    .action(async (id: string) => {
      const env = cliEnv();
      const smtpUrl = env.config.smtpUrl ?? requireServices(env.config).smtpUrl;
      const d = await withApp(env, (ctx) => retryDelivery(ctx, Number(id), smtpUrl));
      say(`delivery ${d.id}: ${d.state} to ${d.recipient}`);
    });
}
