import { Schema, type Connection, type Model } from 'mongoose';

export interface AuditEntry {
  at: Date;
  by: string;
  action: string;
  from: string;
  to: string;
  reason?: string | undefined;
  contentHash?: string | undefined;
}

export interface CampaignDoc {
  _id: string;
  name: string;
  /** The definition as submitted (the YAML, parsed). */
  definition: Record<string, unknown>;
  /** sha256 of the campaign file as submitted. */
  contentHash: string;
  /** Hash that was approved; a different file hash sends the campaign back to submitted. */
  approvedHash?: string | undefined;
  version: number;
  status: string;
  author?: string | undefined;
  approvedBy?: string | undefined;
  audit: AuditEntry[];
}

const auditSchema = new Schema<AuditEntry>(
  { at: Date, by: String, action: String, from: String, to: String, reason: String, contentHash: String },
  { _id: false },
);

const campaignSchema = new Schema<CampaignDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    contentHash: { type: String, required: true },
    approvedHash: { type: String },
    version: { type: Number, default: 1 },
    status: { type: String, required: true },
    author: { type: String },
    approvedBy: { type: String },
    audit: { type: [auditSchema], default: [] },
  },
  { collection: 'campaigns', timestamps: true, minimize: false },
);
campaignSchema.index({ status: 1 });

export type CampaignModel = Model<CampaignDoc>;
export function campaignModel(conn: Connection): CampaignModel {
  return conn.model<CampaignDoc>('Campaign', campaignSchema);
}
