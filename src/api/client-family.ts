/**
 * The coarse family of a client, the only thing kept of a user agent:
 * `wechat` (WeChat's built-in browser), `mobile`, `desktop` or `other`. Pure.
 */
export function clientFamily(userAgent: string | undefined): 'wechat' | 'mobile' | 'desktop' | 'other' {
  const ua = userAgent ?? '';
  if (/MicroMessenger/i.test(ua)) return 'wechat';
  if (/Mobile|Android|iPhone|iPad/i.test(ua)) return 'mobile';
  if (/Windows|Macintosh|X11|Linux/i.test(ua)) return 'desktop';
  return 'other';
}
