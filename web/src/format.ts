/** zh-CN labels and Asia/Shanghai times for what the API sends. */

export const SEGMENT_LABEL: Record<string, string> = { elderly: '老年', students: '学生', shoppers: '网购', general: '综合' };
export const ROLE_LABEL: Record<string, string> = { drafter: '起草', reviewer: '审核', publisher: '发布', analyst: '分析', operator: '运维', admin: '管理员' };
export const CAMPAIGN_STATUS: Record<string, { label: string; type: 'success' | 'warning' | 'info' | 'danger' | 'primary' }> = {
  draft: { label: '草稿', type: 'info' },
  submitted: { label: '待审批', type: 'warning' },
  approved: { label: '已批准', type: 'primary' },
  active: { label: '进行中', type: 'success' },
  paused: { label: '已暂停', type: 'warning' },
  finished: { label: '已结束', type: 'info' },
  cancelled: { label: '已取消', type: 'danger' },
  rejected: { label: '已驳回', type: 'danger' },
};
export const GROUP_STATUS: Record<string, { label: string; type: 'success' | 'warning' | 'info' | 'danger' }> = {
  pending: { label: '待登记', type: 'warning' },
  active: { label: '正常', type: 'success' },
  paused: { label: '已暂停', type: 'info' },
  left: { label: '已退出', type: 'danger' },
};
export const BOT_STATE: Record<string, { label: string; type: 'success' | 'warning' | 'info' | 'danger' }> = {
  online: { label: '在线', type: 'success' },
  starting: { label: '启动中', type: 'warning' },
  stopped: { label: '已停止', type: 'info' },
  offline: { label: '离线', type: 'danger' },
  failed: { label: '故障', type: 'danger' },
  unknown: { label: '未知', type: 'info' },
  'waiting for scan': { label: '待扫码', type: 'warning' },
};
export const DELIVERY_STATUS: Record<string, string> = { planned: '待发', sending: '发送中', sent: '已发', failed: '失败', skipped: '跳过', unknown: '未确认' };
export const RISK_LABEL: Record<string, { label: string; type: 'danger' | 'warning' | 'info' | 'success' }> = {
  high: { label: '高', type: 'danger' },
  medium: { label: '中', type: 'warning' },
  low: { label: '低', type: 'info' },
  none: { label: '无', type: 'success' },
};

export const segmentLabel = (s: string): string => SEGMENT_LABEL[s] ?? s;
export const segmentsLabel = (s: readonly string[] | undefined): string => (s?.length ? s.map(segmentLabel).join('、') : '—');

const dtf = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
const wdf = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', weekday: 'short' });

/** 2026-11-11 19:30 (Asia/Shanghai). */
export function time(iso: string | undefined | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = Object.fromEntries(dtf.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p['year']}-${p['month']}-${p['day']} ${p['hour']}:${p['minute']}`;
}
const tf = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
/** 19:30:05 (Asia/Shanghai): a time within the next minutes. */
export function clock(iso: string | undefined | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : tf.format(d);
}
export const weekday = (iso: string): string => wdf.format(new Date(iso));

/** Today in Asia/Shanghai, as 2026-11-11. */
export function today(offsetDays = 0): string {
  const d = new Date(Date.now() + 8 * 3600_000 + offsetDays * 86_400_000);
  return d.toISOString().slice(0, 10);
}

export const num = (n: number | null | undefined): string => (n === null || n === undefined || Number.isNaN(n) ? '—' : n.toLocaleString('zh-CN'));
export const pct = (part: number, whole: number): number => (whole > 0 ? Math.min(100, Math.round((part / whole) * 100)) : 0);

/** A value of a report row as text. */
export const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('zh-CN') : v.toFixed(1)) : String(v));

/** A scope as the API names it (全市 (the whole city), 鼓楼区, 鼓楼区温泉派出所), for people. */
export const scopeLabel = (s: string | undefined): string => (!s ? '' : s.startsWith('全市') ? '全市' : s);

/**
 * Why a post was not sent, or why the scheduler moved a campaign, in the
 * console's words. The server words them for the CLI and the logs (English);
 * the known ones are said here in Chinese, any other is shown as it came.
 */
const REASONS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^daily cap reached: (\d+) post\(s\) per group per day$/, (m) => `已达每群每天上限（${m[1]} 条）`],
  [/^no post of the campaign fits this group \(audience or validity\)$/, () => '活动里没有适合这个群的帖子（人群或有效期不符）'],
  [/^every fitting post reached this group within (\d+) days$/, (m) => `适合的帖子 ${m[1]} 天内都已发过这个群`],
  [/^missed: no worker was running$/, () => '错过：当时没有发送进程在运行'],
  [/^no bot in group$/, () => '群里没有可用的机器人'],
  [/^worker stopped after claiming; lease expired, not resent$/, () => '发送进程领取后中断：是否发出无法确认，为免重复不再重发'],
  [/^returned unsent to the queue$/, () => '未发出，已放回队列'],
  [/^send timed out, may or may not have been posted; not resent(?:: (.*))?$/s, () => '发送超时：可能已发出也可能没有，为免重复不再重发'],
  [/^send unconfirmed \(timed out, or its connection dropped\), may or may not have been posted; not resent(?:: (.*))?$/s, () => '发送未获确认（超时或连接中断）：可能已发出也可能没有，为免重复不再重发'],
  [/^bot removed from group$/, () => '机器人已不在群里'],
  [/^campaign cancelled$/, () => '活动已取消'],
  [/^campaign paused$/, () => '活动已暂停'],
  [/^post no longer valid \(validUntil (.+)\) when its turn came$/, (m) => `轮到发送时帖子已过有效期（${time(m[1])}）`],
  [/^quiet hours began before it was sent; due again when they end$/, () => '发出前进入免打扰时段，结束后再发'],
  [/^first run due$/, () => '第一次发送时间已到'],
  [/^window ended$/, () => '有效期已结束'],
  [/^its one run is done$/, () => '唯一一轮已发送完毕'],
];
export function reasonLabel(reason: string | undefined | null): string {
  if (!reason) return '';
  for (const [re, say] of REASONS) {
    const m = re.exec(reason.trim());
    if (m) return say(m);
  }
  return reason;
}
