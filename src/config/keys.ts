import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './errors.js';
import { keyIdOf, signerOf, type Signer, type Verifiers } from '../shared/signing.js';

/**
 * The signing keys of an installation (Ed25519, PEM, from the environment):
 * - the API's: seals approvals and signs the audit entries of people's actions
 *   (ZHIMI_API_SIGNING_KEY in the API process only; ZHIMI_API_PUBLIC_KEY wherever approvals or the audit are verified);
 * - the workers': sign the audit entries of officers' commands in groups
 *   (ZHIMI_WORKER_SIGNING_KEY in workers; ZHIMI_WORKER_PUBLIC_KEY where the audit is verified).
 * With the development database (MONGODB_URI unset) a missing key is made
 * once under `.zhimi/keys/` (owner only); against any other database a
 * missing key is an error naming the variable.
 */
export interface InstallationKeys {
  /** Seals approvals, signs people's audit entries (the API). */
  api?: Signer | undefined;
  /** Signs audit entries of in-group commands (workers). */
  worker?: Signer | undefined;
  /** Keys whose approvals a worker runs: the API's only. */
  approvals: Verifiers;
  /** Keys whose audit entries verify: the API's and the workers'. */
  audit: Verifiers;
}

type Role = 'api' | 'worker';
const VAR: Record<Role, { priv: string; pub: string }> = {
  api: { priv: 'ZHIMI_API_SIGNING_KEY', pub: 'ZHIMI_API_PUBLIC_KEY' },
  worker: { priv: 'ZHIMI_WORKER_SIGNING_KEY', pub: 'ZHIMI_WORKER_PUBLIC_KEY' },
};

/**
 * Load the keys this process holds: private keys from the environment (with
 * the development database, made once under `.zhimi/keys/`), public keys
 * from the environment or from the private ones. Using a signer this process
 * does not hold fails then, naming the variable (see `requireSigner`).
 */
export function loadKeys(o: { env: NodeJS.ProcessEnv; stateDir: string; devDatabase: boolean }): InstallationKeys {
  const pair = (role: Role): { priv?: KeyObject; pub?: KeyObject } => {
    const privPem = o.env[VAR[role].priv];
    const pubPem = o.env[VAR[role].pub];
    if (privPem || pubPem) {
      const priv = privPem ? parse(() => createPrivateKey(privPem), VAR[role].priv, 'a PEM Ed25519 private key') : undefined;
      const pub = pubPem ? parse(() => createPublicKey(pubPem), VAR[role].pub, 'a PEM Ed25519 public key') : priv ? createPublicKey(priv) : undefined;
      return { ...(priv ? { priv } : {}), ...(pub ? { pub } : {}) };
    }
    if (!o.devDatabase) return {};
    const priv = devKey(join(o.stateDir, 'keys', `${role}-ed25519.pem`));
    return { priv, pub: createPublicKey(priv) };
  };
  const api = pair('api');
  const worker = pair('worker');
  const byId = (...keys: (KeyObject | undefined)[]): Verifiers => new Map(keys.filter((k): k is KeyObject => !!k).map((k) => [keyIdOf(k), k]));
  return {
    api: api.priv && api.pub ? signerOf(api.priv, api.pub) : undefined,
    worker: worker.priv && worker.pub ? signerOf(worker.priv, worker.pub) : undefined,
    approvals: byId(api.pub),
    audit: byId(api.pub, worker.pub),
  };
}

function parse(make: () => KeyObject, variable: string, what: string): KeyObject {
  try {
    const k = make();
    if (k.asymmetricKeyType !== 'ed25519') throw new Error(`an ${k.asymmetricKeyType} key`);
    return k;
  } catch (err) {
    throw new ConfigError([{ file: 'environment', field: variable, message: `must be ${what} (${(err as Error).message})` }]);
  }
}

/** The signer of a role, or an error naming the variable to set. */
export function requireSigner(keys: InstallationKeys, role: Role): Signer {
  const s = keys[role];
  if (!s) throw new ConfigError([{ file: 'environment', field: VAR[role].priv, message: `must be set for ${role === 'api' ? 'the API (zhimi serve) and the commands that act on the server machine (zhimi users …)' : 'workers (zhimi fleet start)'}: a PEM Ed25519 private key (openssl genpkey -algorithm ed25519); its public key goes to ${VAR[role].pub} where approvals or the audit are verified` }]);
  return s;
}

function devKey(file: string): KeyObject {
  if (!existsSync(file)) {
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return createPrivateKey(readFileSync(file, 'utf8'));
}
