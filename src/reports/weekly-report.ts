import type { Row } from './format.js';
import type { Sheet } from './xlsx.js';

/**
 * The weekly report of one district (or the whole city): what its groups
 * were sent and how they answered, day by day, the posts that did best, and
 * what residents asked the scam check about. Pure: figures in, sheets out
 * (column names in Chinese: it is read by analysts of the police).
 */

export interface WeeklyFigures {
  /** The district's name, or 全市. */
  area: string;
  /** The Asia/Shanghai days of the week, Monday to Sunday. */
  from: string;
  to: string;
  /** Per day: deliveries, groups, reach, unique reach (reach report by day). */
  reachByDay: readonly Row[];
  /** Per day: reply, mention, keyword, question, click, total, per1000 (engagement report by day). */
  engagementByDay: readonly Row[];
  /** The whole week: unique members and groups reached. */
  unique: { members: number; groups: number; exact: boolean };
  /** The area's top posts by engagements per 1,000 reached. */
  topPosts: readonly Row[];
  /** Scam checks by type: type (its name), checks, high, medium. */
  tipsByType: readonly Row[];
}

export interface WeeklySummary {
  deliveries: number;
  reach: number;
  uniqueReach: number;
  engagements: number;
  per1000: number;
  checks: number;
}

const num = (v: Row[string]): number => (typeof v === 'number' ? v : Number(v ?? 0) || 0);

export function weeklySummary(f: WeeklyFigures): WeeklySummary {
  const deliveries = f.reachByDay.reduce((a, r) => a + num(r['deliveries']), 0);
  const reach = f.reachByDay.reduce((a, r) => a + num(r['reach']), 0);
  const engagements = f.engagementByDay.reduce((a, r) => a + num(r['total']), 0);
  return {
    deliveries, reach, uniqueReach: f.unique.members, engagements, per1000: reach ? Math.round((engagements / reach) * 10_000) / 10 : 0,
    checks: f.tipsByType.reduce((a, r) => a + num(r['checks']), 0),
  };
}

export function weeklySheets(f: WeeklyFigures): Sheet[] {
  const s = weeklySummary(f);
  const engagement = new Map(f.engagementByDay.map((r) => [String(r['day']), r]));
  return [
    {
      name: '概况',
      rows: [
        { 项目: '地区', 数值: f.area }, { 项目: '周期', 数值: `${f.from} 至 ${f.to}` },
        { 项目: '推送次数', 数值: s.deliveries }, { 项目: '触达人次', 数值: s.reach },
        { 项目: '触达人数（去重）', 数值: s.uniqueReach }, { 项目: '去重是否精确', 数值: f.unique.exact ? '是' : '估算（±1.6%）' },
        { 项目: '覆盖群数（去重）', 数值: f.unique.groups }, { 项目: '互动次数', 数值: s.engagements },
        { 项目: '每千人互动', 数值: s.per1000 }, { 项目: '反诈查询次数', 数值: s.checks },
      ],
    },
    {
      name: '每日',
      columns: ['日期', '推送', '覆盖群', '触达人次', '触达人数', '回复', '提及', '关键词', '提问', '点击', '互动合计', '每千人互动'],
      rows: f.reachByDay.map((r) => {
        const e = engagement.get(String(r['day'])) ?? {};
        return {
          日期: r['day'], 推送: r['deliveries'], 覆盖群: r['groups'], 触达人次: r['reach'], 触达人数: r['uniqueReach'],
          回复: e['reply'] ?? 0, 提及: e['mention'] ?? 0, 关键词: e['keyword'] ?? 0, 提问: e['question'] ?? 0, 点击: e['click'] ?? 0, 互动合计: e['total'] ?? 0, 每千人互动: e['per1000'] ?? 0,
        };
      }),
    },
    {
      name: '热门帖子',
      columns: ['帖子', '活动', '推送', '触达人次', '互动', '每千人互动'],
      rows: f.topPosts.map((r) => ({ 帖子: r['post'], 活动: r['campaign'], 推送: r['deliveries'], 触达人次: r['reach'], 互动: r['engagements'], 每千人互动: r['per1000'] })),
    },
    {
      name: '反诈查询',
      columns: ['诈骗类型', '查询次数', '高风险', '中风险'],
      rows: f.tipsByType.map((r) => ({ 诈骗类型: r['type'], 查询次数: r['checks'], 高风险: r['high'], 中风险: r['medium'] })),
    },
  ];
}
