/**
 * Least privilege: each long-running face may take a database URI of its
 * own, for a MongoDB user whose role covers only what that face does (README:
 * Database roles). `MONGODB_URI` stays the default for every face.
 */
export const FACE_DATABASE_VARS = {
  worker: 'ZHIMI_WORKER_MONGODB_URI',
  api: 'ZHIMI_API_MONGODB_URI',
  links: 'ZHIMI_LINKS_MONGODB_URI',
} as const;

export type Face = keyof typeof FACE_DATABASE_VARS;

/**
 * The environment a face runs with: its own URI, when set, as MONGODB_URI
 * (so everything downstream, from the production checks to the keys, sees
 * the database this process really uses).
 */
export function faceEnvironment(face: Face, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const own = env[FACE_DATABASE_VARS[face]];
  return own ? { ...env, MONGODB_URI: own } : env;
}
