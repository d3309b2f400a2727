/** Donors: list, add or change, the projects they fund, their contacts. */
import { Option, type Command } from 'commander';
import { addContact, donorsList, fundProject, saveDonor } from '../../app/donors.js';
import { printJson, printTable, say } from '../output.js';
import { cliEnv, withDatabase } from '../session.js';

export function registerDonorCommands(program: Command): void {
  const donors = program.command('donors').description('donors, the projects they fund and their contacts');
  donors
    .command('list')
    .addOption(new Option('--json', 'print JSON for scripts'))
    .action(async (o: { json?: boolean }) => {
      const rows = await withDatabase(cliEnv(), donorsList);
      if (o.json) return printJson(rows);
      printTable(rows.map((d) => ({ ...d, contacts: d.contacts.map((c) => `${c.id} <${c.email}>`) })), ['code', 'name', 'projects', 'contacts']);
    });
  donors
    .command('add')
    .description('add a donor, or change its name and e-mail')
    .requiredOption('--code <code>', 'e.g. EU')
    .requiredOption('--name <name>')
    .option('--email <address>', 'the donor\'s general contact address')
    .action(async (o: { code: string; name: string; email?: string }) => {
      await withDatabase(cliEnv(), (ctx) => saveDonor(ctx, { code: o.code, name: o.name, contactEmail: o.email }));
      say(`donor ${o.code} saved`);
    });
  donors
    .command('fund')
    .description('record that a donor funds a project')
    .requiredOption('--donor <code>')
    .requiredOption('--project <code>')
    .action(async (o: { donor: string; project: string }) => {
      await withDatabase(cliEnv(), (ctx) => fundProject(ctx, o.donor, o.project));
      say(`${o.donor} funds ${o.project}`);
    });
  donors
    .command('contact')
    .description('add a contact person of a donor (a user who receives its reports and sees them in the donor portal)')
    .requiredOption('--donor <code>')
    .requiredOption('--user <id>', 'user name for the log-in, e.g. donor.eu')
    .requiredOption('--name <name>')
    .requiredOption('--email <address>')
    .action(async (o: { donor: string; user: string; name: string; email: string }) => {
      await withDatabase(cliEnv(), (ctx) => addContact(ctx, o.donor, { id: o.user, name: o.name, email: o.email }));
      say(`${o.user} is a contact of ${o.donor}`);
    });
}
