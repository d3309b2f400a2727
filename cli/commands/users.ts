/**
 * The operator's commands on users' credentials (the command line runs with the database's rights,
 * as an administrator): set a password (a reset: every session and API token of the user ends),
 * revoke all of a user's API tokens, list tokens.
 */
import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { apiTokens, generatePassword, resetPassword, revokeAllTokens } from '../../app/auth.js';
import { RbmError } from '../../domain/errors.js';
import { printJson, printTable, say } from '../output.js';
import { cliEnv, withDatabase } from '../session.js';

/** The `rbm users` subcommands beyond `list`. */
export function registerUserCredentialCommands(users: Command): void {
  users
    .command('set-password')
    .description('set a user\'s password (ends the user\'s sessions and API tokens); without --password-stdin, a random one is made and printed once')
    .argument('<user>', 'user id')
    .option('--password-stdin', 'read the new password from standard input (first line)')
    .action(async (user: string, o: { passwordStdin?: boolean }) => {
      const given = o.passwordStdin ? fs.readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '' : undefined;
      if (given !== undefined && !given) throw new RbmError('invalid_input', 'no password on standard input');
      const password = given ?? generatePassword();
      const change = await withDatabase(cliEnv(), (ctx) => resetPassword(ctx, 'command-line', user, password));
      say(`Password of ${user} set; ${change.sessionsEnded} session(s) signed out, ${change.tokensRevoked} API token(s) revoked.`);
      if (given === undefined) say(`New password (shown once; hand it over safely and have it changed on the account page): ${password}`);
    });

  users
    .command('revoke-tokens')
    .description('revoke every API token of a user')
    .argument('<user>', 'user id')
    .action(async (user: string) => {
      const n = await withDatabase(cliEnv(), (ctx) => revokeAllTokens(ctx, 'command-line', user));
      say(`Revoked ${n} API token(s) of ${user}.`);
    });

  users
    .command('tokens')
    .description('API tokens (never their secret): user, name, created, expires, last used, state')
    .option('--user <user>', 'only this user\'s')
    .addOption(new Option('--json', 'print JSON'))
    .action(async (o: { user?: string; json?: boolean }) => {
      const rows = await withDatabase(cliEnv(), (ctx) => apiTokens(ctx, o.user));
      if (o.json) return printJson(rows);
      printTable(rows.map((t) => ({ ...t, state: t.revokedAt ? 'revoked' : t.active ? 'active' : 'expired', lastUsedAt: t.lastUsedAt ?? '' })),
        ['userId', 'name', 'createdAt', 'expiresAt', 'lastUsedAt', 'state']);
    });
}
