import type { Model } from 'mongoose';
import type { Connection } from 'mongoose';
import { groupModel, type GroupModel } from './groups.js';
import { deliveryModel, type DeliveryModel } from './deliveries.js';
import { botModel, type BotModel } from './bots.js';
import { claimModel, type ClaimModel } from './claims.js';
import { deliveryEventModel, type DeliveryEventModel } from './delivery-events.js';
import { campaignModels, type CampaignModel, type CampaignVersionModel } from './campaigns.js';
import { accessModels, type AuthFailureModel, type SessionModel, type TokenModel, type UserModel } from './access.js';
import { auditModel, type AuditModel } from './audit.js';
import { runModel, type RunModel } from './runs.js';
import { leaseModel, type LeaseModel } from './leases.js';
import { workerModel, type WorkerModel } from './workers.js';
import { tipModel, type TipModel } from './tips.js';
import { metaModel, type MetaModel } from './meta.js';
import { groupPauseModel, type GroupPauseModel } from './group-pauses.js';
import { weeklyReportModel, type WeeklyReportModel } from './weekly-reports.js';
import { engagementModels, type CounterModel, type EngagementModel, type SketchModel, type TallySessionModel } from './engagement.js';
import { type AreaCut, type CounterLevel } from '../../shared/counters.js';

export interface Models {
  Group: GroupModel;
  Delivery: DeliveryModel;
  DeliveryEvent: DeliveryEventModel;
  Bot: BotModel;
  Claim: ClaimModel;
  Campaign: CampaignModel;
  CampaignVersion: CampaignVersionModel;
  User: UserModel;
  Session: SessionModel;
  Token: TokenModel;
  AuthFailure: AuthFailureModel;
  Audit: AuditModel;
  Run: RunModel;
  Lease: LeaseModel;
  Worker: WorkerModel;
  Tip: TipModel;
  Meta: MetaModel;
  GroupPause: GroupPauseModel;
  Engagement: EngagementModel;
  Counters: Record<CounterLevel, CounterModel>;
  Sketches: Record<AreaCut, SketchModel>;
  TallySession: TallySessionModel;
  WeeklyReport: WeeklyReportModel;
}

export function registerModels(conn: Connection): Models {
  return { Group: groupModel(conn), Delivery: deliveryModel(conn), DeliveryEvent: deliveryEventModel(conn), Bot: botModel(conn), Claim: claimModel(conn), ...campaignModels(conn), ...accessModels(conn), Audit: auditModel(conn), Run: runModel(conn), Lease: leaseModel(conn), Worker: workerModel(conn), Tip: tipModel(conn), Meta: metaModel(conn), GroupPause: groupPauseModel(conn), WeeklyReport: weeklyReportModel(conn), ...engagementModels(conn) };
}

/** Every model, flat (for creating indexes). */
export function allModels(models: Models): Model<unknown>[] {
  const { Counters, Sketches, ...rest } = models;
  return [...Object.values(rest), ...Object.values(Counters), ...Object.values(Sketches)] as unknown as Model<unknown>[];
}
