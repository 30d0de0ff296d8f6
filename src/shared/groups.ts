/** Audience segments of a group (a group may have several, most specific first). */
export const SEGMENTS = ['elderly', 'students', 'shoppers', 'general'] as const;
export type Segment = (typeof SEGMENTS)[number];
/** A group is `pending` until an officer tags it; only `active` groups receive campaign posts. */
export const GROUP_STATUSES = ['pending', 'active', 'paused', 'left'] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/** A group of the registry as plain data (what pure logic sees; the store maps it to its document). */
export interface GroupRecord {
  id: string;
  roomId: string;
  topic: string;
  district?: string | undefined;
  station?: string | undefined;
  segments: Segment[];
  tags: string[];
  memberCount: number;
  botIds: string[];
  status: GroupStatus;
  lastPostAt?: Date | undefined;
}

/** What a bot saw of a group it is a member of. */
export interface SeenGroup {
  roomId: string;
  topic: string;
  memberCount: number;
  botId: string;
  memberSample: string[];
}
