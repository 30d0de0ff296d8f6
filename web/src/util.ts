import { onBeforeUnmount, onMounted, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { isMissingRoute, messageOf } from './api';

/** A value loaded from the API, with its error and a reload. */
export function useLoad<T>(load: () => Promise<T>, o: { immediate?: boolean } = {}): {
  data: ShallowRef<T | undefined>;
  error: Ref<string>;
  missing: Ref<boolean>;
  loading: Ref<boolean>;
  reload: () => Promise<void>;
} {
  const data = shallowRef<T>();
  const error = ref('');
  const missing = ref(false);
  const loading = ref(false);
  let seq = 0;
  const reload = async (): Promise<void> => {
    const mine = ++seq;
    loading.value = true;
    try {
      const v = await load();
      if (mine !== seq) return;
      data.value = v;
      error.value = '';
      missing.value = false;
    } catch (e) {
      if (mine !== seq) return;
      missing.value = isMissingRoute(e);
      error.value = missing.value ? '' : messageOf(e);
    } finally {
      if (mine === seq) loading.value = false;
    }
  };
  if (o.immediate !== false) onMounted(reload);
  return { data, error, missing, loading, reload };
}

/** Is the screen phone-sized (under 768 px)? Reactive. */
const phoneQuery = typeof window !== 'undefined' ? window.matchMedia('(max-width: 767px)') : undefined;
const phone = ref(phoneQuery?.matches ?? false);
phoneQuery?.addEventListener('change', (e) => (phone.value = e.matches));
export const isPhone = phone;

/** Run f every ms while mounted. */
export function useInterval(f: () => void, ms: number): void {
  let t: ReturnType<typeof setInterval> | undefined;
  onMounted(() => (t = setInterval(f, ms)));
  onBeforeUnmount(() => t && clearInterval(t));
}

/** Save a download the browser fetched with the session (a CSV, an XLSX, a YAML). */
export async function download(url: string, fallbackName: string): Promise<void> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    throw new Error(body.message ?? `下载失败 (${res.status})`);
  }
  const name = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const blob = await res.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = decodeURIComponent(name);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
