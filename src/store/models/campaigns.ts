import { Schema, type Connection, type Model } from 'mongoose';

/** One of the scheduler's own steps (activate, finish), kept with the campaign; people's actions are in the audit. */
export interface CampaignEvent {
  at: Date;
  action: string;
  from: string;
  to: string;
  reason?: string | undefined;
  version?: number | undefined;
}

/**
 * A campaign: its latest submitted version and status; what runs is the
 * approved version (`campaign_versions`), sealed by the API.
 */
export interface CampaignDoc {
  _id: string;
  name: string;
  /** The latest submitted version (1, 2, …). */
  version: number;
  status: string;
  /** Who submitted the latest version (its review must come from someone else). */
  submittedBy?: string | undefined;
  approvedVersion?: number | undefined;
  approvedBy?: string | undefined;
  /** The latest version's audience districts (`all` for every one): scope checks and lists. */
  districts: string[];
  priority: string;
  /** A publisher asked for a run now: workers fire a one-off due time at this moment. */
  runNowAt?: Date | undefined;
  history: CampaignEvent[];
  /** Work in progress from the console's editor: not a version, never reviewed or run. */
  draft?: { definition: Record<string, unknown>; savedBy: string; savedAt: Date } | undefined;
  updatedAt?: Date;
}

/** A post as a version froze it. */
export interface VersionPost {
  id: string;
  hash: string;
  title?: string | undefined;
  variants?: string[] | undefined;
}

/** One submitted version: what a reviewer sees and approves, frozen. */
export interface CampaignVersionDoc {
  /** `<campaignId>#<version>` */
  _id: string;
  campaignId: string;
  version: number;
  /** The definition as submitted (the campaign file, parsed). */
  definition: Record<string, unknown>;
  definitionHash: string;
  /** Every post it can send, with the content hash reviewed (and its title and texts as the reviewer read them, to show what changed later). */
  posts: VersionPost[];
  submittedBy: string;
  submittedAt: Date;
  reason?: string | undefined;
  /** The file it was submitted from, if any. */
  source?: string | undefined;
  approval?: { by: string; at: Date; keyId: string; sig: string } | undefined;
  rejection?: { by: string; at: Date; reason: string } | undefined;
}

const campaignSchema = new Schema<CampaignDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    version: { type: Number, default: 0 },
    status: { type: String, required: true },
    submittedBy: String,
    approvedVersion: Number,
    approvedBy: String,
    districts: { type: [String], default: [] },
    priority: { type: String, default: 'normal' },
    runNowAt: Date,
    draft: { type: Schema.Types.Mixed },
    history: { type: [{ at: Date, action: String, from: String, to: String, reason: String, version: Number, _id: false }], default: [] },
  },
  { collection: 'campaigns', timestamps: true, minimize: false },
);
campaignSchema.index({ status: 1 });

const versionSchema = new Schema<CampaignVersionDoc>(
  {
    _id: { type: String, required: true },
    campaignId: { type: String, required: true },
    version: { type: Number, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    definitionHash: { type: String, required: true },
    posts: { type: [{ id: String, hash: String, title: String, variants: [String], _id: false }], default: [] },
    submittedBy: { type: String, required: true },
    submittedAt: { type: Date, required: true },
    reason: String,
    source: String,
    approval: { by: String, at: Date, keyId: String, sig: String },
    rejection: { by: String, at: Date, reason: String },
  },
  { collection: 'campaign_versions', versionKey: false, minimize: false },
);
versionSchema.index({ campaignId: 1, version: -1 });

export type CampaignModel = Model<CampaignDoc>;
export type CampaignVersionModel = Model<CampaignVersionDoc>;
export function campaignModels(conn: Connection): { Campaign: CampaignModel; CampaignVersion: CampaignVersionModel } {
  return { Campaign: conn.model<CampaignDoc>('Campaign', campaignSchema), CampaignVersion: conn.model<CampaignVersionDoc>('CampaignVersion', versionSchema) };
}
