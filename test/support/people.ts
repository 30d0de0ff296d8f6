import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import { paths } from '../../src/config/paths.js';
import { loadKeys } from '../../src/config/keys.js';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { changeCampaign, reviewCampaign, submitCampaign } from '../../src/app/campaigns.js';
import type { Clock } from '../../src/config/clock.js';
import type { Logger } from '../../src/log/logger.js';
import type { Store } from '../../src/store/connection.js';
import type { Actor } from '../../src/shared/permissions.js';
import type { FleetConfig } from '../../src/config/bots.js';
import type { MemberKeyer } from '../../src/audience/member-key.js';
import type { OfficerDirectory } from '../../src/fleet/group-membership.js';

/** People of the tests (as the API would have authenticated them). */
const city = { kind: 'city' } as const;
export const DRAFTER: Actor = { id: 'lin', name: '林警官', roles: ['drafter'], scope: city, via: 'session' };
export const REVIEWER: Actor = { id: 'zheng', name: '郑科长', roles: ['reviewer', 'drafter'], scope: city, via: 'session' };
export const SECOND_REVIEWER: Actor = { id: 'huang', name: '黄科长', roles: ['reviewer'], scope: city, via: 'session' };
export const PUBLISHER: Actor = { id: 'wu', name: '吴警官', roles: ['publisher'], scope: city, via: 'session' };
export const ADMIN: Actor = { id: 'root', name: '管理员', roles: ['admin'], scope: city, via: 'session' };

/** An application context over a test's own store (development keys, a test member key). */
export function testContext(store: Store, clock: Clock, log: Logger, contentDir?: string): AppContext {
  return createAppContext({ log, clock, store, contentDir, env: { mongoUri: undefined, memberKey: 't'.repeat(32), production: false } });
}

/** Submit a campaign file as a drafter; returns its new version. */
export async function submitFile(ctx: AppContext, actor: Actor, file: string): Promise<number> {
  const r = await submitCampaign(ctx, actor, { yaml: readFileSync(file, 'utf8'), source: file });
  if (r.errors.length) throw new Error(r.errors.join('; '));
  return r.version;
}

/** Submit a campaign file as the drafter and approve that version as the reviewer. */
export async function submitApproved(ctx: AppContext, file: string, drafter = DRAFTER, reviewer = REVIEWER): Promise<number> {
  const version = await submitFile(ctx, drafter, file);
  await reviewCampaign(ctx, reviewer, idOf(file), { version, approve: true });
  return version;
}

export const cancel = (ctx: AppContext, id: string): Promise<unknown> => changeCampaign(ctx, ADMIN, id, 'cancel');

const idOf = (file: string): string => /^id:\s*(\S+)/m.exec(readFileSync(file, 'utf8'))![1]!;

/** Officers as the fleet config of the tests lists them (their WeChat ids), each a city-wide drafter and operator. */
export function configOfficers<C extends Pick<FleetConfig, 'officers'>>(config: C, keyer: MemberKeyer): OfficerDirectory {
  const byKey = new Map(config.officers.map((o) => [keyer(o.id), { id: o.id, name: o.name, roles: ['drafter', 'operator', 'publisher'], scope: o.district ? { kind: 'district', district: o.district } : city, via: 'local' } as Actor]));
  return { officer: async (key) => byKey.get(key) };
}

/**
 * The installation keys of the tests (development keys under .zhimi/keys/) as
 * a worker process against a test database takes them from its environment:
 * the API's public key (to verify approvals) and the worker's private key.
 */
export function keyEnv(): NodeJS.ProcessEnv {
  const dir = join(paths.state, 'keys');
  loadKeys({ env: {}, stateDir: paths.state, devDatabase: true }); // made if missing
  const api = createPrivateKey(readFileSync(join(dir, 'api-ed25519.pem'), 'utf8'));
  return {
    ZHIMI_API_PUBLIC_KEY: createPublicKey(api).export({ type: 'spki', format: 'pem' }).toString(),
    ZHIMI_WORKER_SIGNING_KEY: readFileSync(join(dir, 'worker-ed25519.pem'), 'utf8'),
  };
}
