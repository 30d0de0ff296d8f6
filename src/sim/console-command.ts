import { FAULT_KINDS, addFaultSpec } from './fault-spec.js';
import type { SimFaults } from './sim-puppet.js';

/** What `zhimi sim` accepts on its standard input while it runs, one command a line. */
export const SIM_CONSOLE_HELP = [
  'commands (one a line):',
  '  drop <bot>        its puppet service goes away (the account stays logged in there), as in an outage',
  '  restore <bot>     its puppet service is back, same endpoint and token',
  '  freeze <bot>      a network partition: nothing passes to or from its puppet service, nothing is closed',
  '  thaw <bot>        the partition ends',
  '  logout <bot>      the account logs out (banned, kicked, logged out on the phone)',
  '  login <bot>       its phone scans the QR code: the account logs in (again)',
  '  reid              every room gets a new id, as some puppets do after a restart',
  '  received [group]  what the fleet posted: per group, how many posts from which bots; with a group (room id or topic), each message with its time',
  `  fault <bot>:<kind>=<value>   switch a fault on (${FAULT_KINDS})`,
  '  clear <bot>       switch its faults off',
  '  officer <group> <bot> <text>   the group\'s officer says "@<bot> <text>" there (暂停, 恢复, 确认, 登记 …, 帮助);',
  '                    <group> is a room id or topic; the bot\'s answer is printed when it comes',
  '  help',
].join('\n');

export type SimCommand =
  | { kind: 'drop' | 'restore' | 'freeze' | 'thaw' | 'logout' | 'login' | 'clear'; botId: string }
  | { kind: 'reid' }
  | { kind: 'received'; group?: string }
  | { kind: 'fault'; botId: string; faults: SimFaults }
  | { kind: 'officer'; group: string; botId: string; text: string }
  | { kind: 'help' }
  | { kind: 'none' };

/**
 * One line of `zhimi sim`'s console: a command, or an error naming what is
 * allowed. `faults`: each bot's faults so far (a fault adds to them). Pure.
 */
export function parseSimCommand(line: string, botIds: readonly string[], faults: ReadonlyMap<string, SimFaults> = new Map()): SimCommand | { error: string } {
  const words = line.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { kind: 'none' };
  const [verb, arg, ...rest] = words as [string, string | undefined, ...string[]];
  if (verb === 'help' || verb === '?') return { kind: 'help' };
  if (verb === 'reid') return arg ? { error: 'reid takes no bot: every room of the world gets a new id' } : { kind: 'reid' };
  if (verb === 'received') return arg ? { kind: 'received', group: [arg, ...rest].join(' ') } : { kind: 'received' };
  const knownBot = (id: string | undefined): string | { error: string } =>
    !id ? { error: `${verb} needs a bot; bots: ${botIds.join(', ')}` } : botIds.includes(id) ? id : { error: `no bot ${id} in this simulator; bots: ${botIds.join(', ')}` };
  if (verb === 'fault') {
    if (!arg || rest.length) return { error: `fault takes one <bot>:<kind>=<value>, e.g. fault ${botIds[0] ?? 'gulou-01'}:throttle=6; kinds: ${FAULT_KINDS}` };
    const bot = knownBot(arg.split(':')[0]);
    if (typeof bot !== 'string') return bot;
    try {
      return { kind: 'fault', botId: bot, faults: addFaultSpec(arg, faults).get(bot)! };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
  if (verb === 'officer') {
    const [botArg, ...text] = rest;
    if (!arg || !botArg || text.length === 0) return { error: `officer takes <group> <bot> <text>, e.g. officer 鼓楼区温泉街道老年反诈群 ${botIds[0] ?? 'gulou-01'} 暂停` };
    const bot = knownBot(botArg);
    return typeof bot === 'string' ? { kind: 'officer', group: arg, botId: bot, text: text.join(' ') } : bot;
  }
  if (verb === 'drop' || verb === 'restore' || verb === 'freeze' || verb === 'thaw' || verb === 'logout' || verb === 'login' || verb === 'clear') {
    if (rest.length) return { error: `${verb} takes one bot` };
    const bot = knownBot(arg);
    return typeof bot === 'string' ? { kind: verb, botId: bot } : bot;
  }
  return { error: `unknown command "${verb}"; ${SIM_CONSOLE_HELP}` };
}
