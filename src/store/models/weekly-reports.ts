import { Schema, type Connection, type Model } from 'mongoose';

/** A weekly report as made (one per week and district, `_id` = `<monday>:<district>`: made once whichever process makes it first). */
export interface WeeklyReportDoc {
  _id: string;
  /** The Monday (Asia/Shanghai) the week starts. */
  week: string;
  /** A district, or 全市 for the whole city. */
  district: string;
  from: string;
  to: string;
  createdAt: Date;
  summary: { deliveries: number; reach: number; uniqueReach: number; engagements: number; per1000: number; checks: number };
  /** The .xlsx file. */
  xlsx: Buffer;
}

const weeklyReportSchema = new Schema<WeeklyReportDoc>(
  {
    _id: { type: String, required: true },
    week: { type: String, required: true },
    district: { type: String, required: true },
    from: String,
    to: String,
    createdAt: Date,
    summary: { deliveries: Number, reach: Number, uniqueReach: Number, engagements: Number, per1000: Number, checks: Number },
    xlsx: Buffer,
  },
  { collection: 'weekly_reports', versionKey: false },
);

export type WeeklyReportModel = Model<WeeklyReportDoc>;
export function weeklyReportModel(conn: Connection): WeeklyReportModel {
  return conn.model<WeeklyReportDoc>('WeeklyReport', weeklyReportSchema);
}
