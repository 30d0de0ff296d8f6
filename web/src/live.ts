import { onBeforeUnmount } from 'vue';

/**
 * Live updates from the API (`GET /api/events`, server-sent events `progress`
 * and `fleet`): one EventSource for the whole console, shared by the pages
 * that listen. Each listener gets the event's parsed data (or undefined when
 * it is not JSON); pages that cannot use the data refetch.
 */
type Listener = (data: unknown) => void;
const listeners = new Map<string, Set<Listener>>();
let source: EventSource | null = null;
export const liveState = { connected: false };

function ensure(): void {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/events', { withCredentials: true });
  attached.clear();
  source.onopen = () => (liveState.connected = true);
  source.onerror = () => {
    liveState.connected = false;
    // the browser reconnects on its own; a closed source (401, 404) is retried slowly
    if (source?.readyState === EventSource.CLOSED) {
      source = null;
      setTimeout(() => listeners.size && ensure(), 15_000);
    }
  };
  for (const name of listeners.keys()) attach(name);
}

const attached = new Set<string>();
function attach(name: string): void {
  if (!source || attached.has(name)) return;
  attached.add(name);
  source.addEventListener(name, (ev) => {
    let data: unknown;
    try {
      data = JSON.parse((ev as MessageEvent<string>).data);
    } catch {
      data = undefined;
    }
    for (const l of listeners.get(name) ?? []) l(data);
  });
}

/** Listen to a live event while the calling component is mounted. */
export function onLive(name: 'progress' | 'fleet', f: Listener): void {
  let set = listeners.get(name);
  if (!set) listeners.set(name, (set = new Set()));
  set.add(f);
  ensure();
  attach(name);
  onBeforeUnmount(() => {
    set.delete(f);
  });
}

/** Close the stream (signing out). */
export function closeLive(): void {
  source?.close();
  source = null;
  attached.clear();
  liveState.connected = false;
}

/** Call f at most once per `ms` (the last call wins), for refetching on bursts of events. */
export function throttle(f: () => void, ms: number): () => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (t) return;
    t = setTimeout(() => {
      t = undefined;
      f();
    }, ms);
  };
}
