import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A message a member showed the bot ("is this a scam?"), kept for analysts
 * to spot new scam waves: the text with phone, card and ID numbers and links
 * masked, the assessment, the district and the hour. No member identity of
 * any kind, and nothing that joins it to the asker's `question` engagement
 * (which carries their member key): no group, no bot, no exact time.
 */
export interface TipDoc {
  _id: string;
  /** The hour it was asked (cut to the hour when stored). */
  at: Date;
  /** Asia/Shanghai day, stored on write (reports group by it). */
  day: string;
  channel: 'group' | 'private';
  district?: string;
  segments?: string[];
  text: string;
  /** Characters of the original text (before cutting and masking). */
  chars: number;
  type: string;
  risk: 'high' | 'medium' | 'low';
  score: number;
  signals: string[];
}

const tipSchema = new Schema<TipDoc>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    day: { type: String, required: true },
    channel: { type: String, required: true, enum: ['group', 'private'] },
    district: String,
    segments: [String],
    text: { type: String, required: true },
    chars: { type: Number, required: true },
    type: { type: String, required: true },
    risk: { type: String, required: true, enum: ['high', 'medium', 'low'] },
    score: { type: Number, required: true },
    signals: [String],
  },
  { collection: 'tips', versionKey: false },
);
tipSchema.index({ day: 1, type: 1 });

export type TipModel = Model<TipDoc>;
export function tipModel(conn: Connection): TipModel {
  return conn.model<TipDoc>('Tip', tipSchema);
}
