import type { Command } from 'commander';
import { hostname } from 'node:os';
import type { AppContext } from '../app/context.js';
import { addUser, changeUser, enrollTotp, listUsers, LOCAL_OPERATOR, resetPassword } from '../app/users.js';
import { verifyAudit } from '../app/audit.js';
import { formatRows } from '../reports/format.js';
import { callApi, credentialsFile, DEFAULT_API_URL, forgetCredentials, readCredentials, saveCredentials } from './api-client.js';
import { out, withContext } from './context.js';
import { EXIT } from './exit-codes.js';
import { wordsOption as list } from './options.js';
import { ask } from './prompt.js';

/** Signing in (`login`, `logout`, `whoami`), users on the server machine (`users …`), and `audit verify`. */
export function registerUserCommands(program: Command, ctx: () => AppContext): void {
  program
    .command('login')
    .description('sign in to the Zhimi API and keep an API token for the commands that act as you (file mode 0600)')
    .option('--url <url>', `the API's address (default: ZHIMI_API_URL, or ${DEFAULT_API_URL})`)
    .option('--user <id>', 'your user name')
    .option('--days <n>', 'how long the token lasts', (v) => Number(v), 30)
    .action(async (o: { url?: string; user?: string; days: number }) => {
      const url = o.url ?? readCredentials().url ?? DEFAULT_API_URL;
      process.env['ZHIMI_API_URL'] = url;
      const user = o.user ?? (await ask('user: '));
      const password = await ask('password: ', { hidden: true });
      const body = { name: `zhimi CLI on ${hostname()}`, days: o.days, user, password };
      let t: { token: string; tokenId: string; expiresAt: string };
      try {
        t = await callApi('POST', '/api/tokens', body, { anonymous: true });
      } catch (err) {
        if (!/one-time code/.test((err as Error).message)) throw err;
        t = await callApi('POST', '/api/tokens', { ...body, totp: await ask('one-time code: ') }, { anonymous: true });
      }
      const file = saveCredentials({ url, token: t.token, user, tokenId: t.tokenId });
      out(`signed in as ${user} at ${url}; token ${t.tokenId} until ${t.expiresAt.slice(0, 10)}, kept in ${file}`);
    });

  program
    .command('logout')
    .description('revoke the stored API token and forget it')
    .action(async () => {
      const c = readCredentials();
      if (c.token && c.tokenId) await callApi('DELETE', `/api/tokens/${c.tokenId}`).catch((err: unknown) => out(`note: ${(err as Error).message}`));
      forgetCredentials();
      out(`signed out (${credentialsFile()} removed)`);
    });

  program
    .command('whoami')
    .description('who the commands act as')
    .action(async () => {
      const s = await callApi<{ actor: { id: string; name: string; roles: string[]; scope: string } }>('GET', '/api/session');
      out(`${s.actor.id} (${s.actor.name}): ${s.actor.roles.join(', ')}; ${s.actor.scope}`);
    });

  const users = program.command('users').description('users, on the server machine (the first admin; after that, admins manage users in the console)');
  users
    .command('add <id>')
    .description('add a user; a password is made and shown once unless one is read from standard input (--password-stdin)')
    .requiredOption('--name <name>', 'the name people know them by, e.g. 王警官')
    .requiredOption('--roles <list>', 'drafter, reviewer, publisher, analyst, operator, admin (comma-separated)', list)
    .option('--scope <scope>', 'city (default), a district (鼓楼区) or district/station (鼓楼区/温泉派出所)')
    .option('--wechat <ids>', 'the officer\'s WeChat ids, for invitations and in-group commands (stored as keyed hashes)', list)
    .option('--password-stdin', 'read the password from standard input')
    .action((id: string, o: { name: string; roles: string[]; scope?: string; wechat?: string[]; passwordStdin?: boolean }) =>
      withContext(ctx(), async (c) => {
        const password = o.passwordStdin ? await ask('') : undefined;
        const r = await addUser(c, LOCAL_OPERATOR, { id, name: o.name, roles: o.roles, scope: o.scope, wechatIds: o.wechat, password });
        out(`added ${r.user.id} (${r.user.name}): ${r.user.roles.join(', ')}; ${r.user.scope}`);
        if (r.password) out(`password (shown once; they can change it in the console): ${r.password}`);
      }),
    );
  users
    .command('list')
    .description('every user')
    .action(() => withContext(ctx(), async (c) => out(formatRows((await listUsers(c, LOCAL_OPERATOR)).map((u) => ({ id: u.id, name: u.name, roles: u.roles.join(','), scope: u.scope, totp: u.totp ? 'yes' : '', wechatIds: u.wechatIds, disabled: u.disabled ? 'yes' : '', lastSignInAt: u.lastSignInAt?.toISOString() ?? '' })), 'table'))));
  users
    .command('disable <id>')
    .description('disable a user: their sessions end, their tokens stop working')
    .action((id: string) => withContext(ctx(), async (c) => out(`${(await changeUser(c, LOCAL_OPERATOR, id, { disabled: true })).id}: disabled`)));
  users
    .command('enable <id>')
    .description('enable a disabled user again')
    .action((id: string) => withContext(ctx(), async (c) => out(`${(await changeUser(c, LOCAL_OPERATOR, id, { disabled: false })).id}: enabled`)));
  users
    .command('reset-password <id>')
    .description('a new password, made and shown once (or read with --password-stdin); ends their sessions and lock-out')
    .option('--password-stdin', 'read the password from standard input')
    .action((id: string, o: { passwordStdin?: boolean }) =>
      withContext(ctx(), async (c) => {
        const r = await resetPassword(c, LOCAL_OPERATOR, id, o.passwordStdin ? await ask('') : undefined);
        out(r.password ? `new password for ${id} (shown once): ${r.password}` : `password of ${id} changed`);
      }),
    );
  users
    .command('totp <id>')
    .description('enroll a one-time-code app for a user: prints the otpauth URI to scan (shown once)')
    .action((id: string) => withContext(ctx(), async (c) => out((await enrollTotp(c, LOCAL_OPERATOR, id)).uri)));

  program
    .command('audit')
    .description('the audit log')
    .command('verify')
    .description('check the audit chain with the installation\'s public keys: the first entry edited, removed, reordered or forged')
    .action(() =>
      withContext(ctx(), async (c) => {
        const v = await verifyAudit(c);
        if (v.ok) out(`ok: ${v.entries} entries, every one signed and in its place`);
        else {
          out(`audit chain broken at entry ${v.seq}: ${v.problem} (${v.entries} entries read)`);
          process.exitCode = EXIT.findings;
        }
      }),
    );
}
