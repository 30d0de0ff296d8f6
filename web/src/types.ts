/**
 * What the API sends and takes, as it is on the wire (instants are ISO
 * strings): the input side of the server's zod schemas. Type-only: nothing of
 * the server is bundled.
 */
import type { z } from 'zod';
import type * as S from '../../src/api/schemas';

export type Wire<T extends z.ZodType> = z.input<T>;

export type Actor = Wire<typeof S.ActorView>;
export type Session = Wire<typeof S.SessionView>;
export type SignIn = Wire<typeof S.SignInBody>;
export type ApiError = Wire<typeof S.ErrorBody>;
export type CampaignSummary = Wire<typeof S.CampaignSummary>;
export type CampaignStatus = Wire<typeof S.CampaignStatusView>;
export type AuditEntry = Wire<typeof S.AuditEntryView>;
export type VersionReview = Wire<typeof S.VersionReviewView>;
export type Submit = Wire<typeof S.SubmitBody>;
export type SubmitResult = Wire<typeof S.SubmitResultView>;
export type ReviewBody = Wire<typeof S.ReviewBody>;
export type ChangeResult = Wire<typeof S.ChangeResultView>;
export type Preview = Wire<typeof S.PreviewView>;
export type Group = Wire<typeof S.GroupView>;
export type TagBody = Wire<typeof S.TagBody>;
export type Fleet = Wire<typeof S.FleetView>;
export type FleetBot = Fleet['bots'][number];
export type ReportQuery = Wire<typeof S.ReportQuery>;
export type Report = Wire<typeof S.ReportView>;
export type ReportRow = Report['rows'][number];
export type TipsQuery = Wire<typeof S.TipsQuery>;
export type Tips = Wire<typeof S.TipsView>;
export type ScamCheck = Wire<typeof S.ScamCheckView>;
export type User = Wire<typeof S.UserView>;
export type NewUser = Wire<typeof S.NewUserBody>;
export type UserChange = Wire<typeof S.UserChangeBody>;
export type AuditVerify = Wire<typeof S.AuditVerifyView>;
export type Segment = Group['segments'][number];
export type Role = Actor['roles'][number];
export type Reference = Wire<typeof S.ReferenceView>;
export type CheckBody = Wire<typeof S.CheckBody>;
export type CheckView = Wire<typeof S.CheckView>;
export type FieldProblem = CheckView['errors'][number];
export type ParseView = Wire<typeof S.ParseView>;
export type DraftView = Wire<typeof S.DraftView>;
export type PostQuery = Wire<typeof S.PostQuery>;
export type PostView = Wire<typeof S.PostView>;
export type GroupPageQuery = Wire<typeof S.GroupPageQuery>;
export type GroupPage = Wire<typeof S.GroupPage>;
export type GroupDetailView = Wire<typeof S.GroupDetailView>;
export type AcceptSuggestionsBody = Wire<typeof S.AcceptSuggestionsBody>;
export type AcceptSuggestionsView = Wire<typeof S.AcceptSuggestionsView>;
export type DashboardView = Wire<typeof S.DashboardView>;
export type RunProgress = DashboardView['runs'][number];
export type Attention = DashboardView['attention'][number];
export type TipSpike = Wire<typeof S.TipSpikeView>;
export type UrgentEstimateBody = Wire<typeof S.UrgentEstimateBody>;
export type UrgentEstimateView = Wire<typeof S.UrgentEstimateView>;
export type WeeklyReport = Wire<typeof S.WeeklyReportView>;
