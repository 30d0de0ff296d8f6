import { reactive } from 'vue';
import type { Actor, Session } from './types';

/** Who is signed in (null: nobody), and the CSRF token to send with changes. */
export const session = reactive<{ actor: Actor | null; csrf: string; loaded: boolean }>({ actor: null, csrf: '', loaded: false });

export function setSession(s: Session | null): void {
  session.actor = s?.actor ?? null;
  session.csrf = s?.csrf ?? '';
  session.loaded = true;
}

/** Does the signed-in user hold this grant (the server still checks every call)? */
export function can(grant: string): boolean {
  return !!session.actor?.grants.includes(grant);
}
