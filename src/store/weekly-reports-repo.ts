import type { Store } from './connection.js';
import type { WeeklyReportDoc } from './models/weekly-reports.js';
import { insertOnce } from './once.js';

export type WeeklyReportRecord = WeeklyReportDoc;

/** Keep a weekly report; false when that week's report of that district exists already. */
export function insertWeeklyReport(store: Store, doc: WeeklyReportDoc): Promise<boolean> {
  return insertOnce(store.models.WeeklyReport, doc);
}

/** The reports kept, newest week first, without their files. */
export async function listWeeklyReports(store: Store): Promise<Omit<WeeklyReportDoc, 'xlsx'>[]> {
  const docs = await store.models.WeeklyReport.find({}, { xlsx: 0 }).lean();
  return (docs as Omit<WeeklyReportDoc, 'xlsx'>[]).sort((a, b) => b.week.localeCompare(a.week) || a.district.localeCompare(b.district));
}

/** One report with its file (by `_id`). */
export async function getWeeklyReport(store: Store, id: string): Promise<WeeklyReportDoc | undefined> {
  const doc = await store.models.WeeklyReport.findOne({ _id: id }).lean();
  return doc ? ({ ...doc, xlsx: Buffer.from(doc.xlsx.buffer ?? doc.xlsx) } as WeeklyReportDoc) : undefined;
}

/** Which districts' reports of a week exist (ids by `_id` only: one read per id). */
export async function weeklyReportExists(store: Store, id: string): Promise<boolean> {
  return (await store.models.WeeklyReport.countDocuments({ _id: id })) > 0;
}
