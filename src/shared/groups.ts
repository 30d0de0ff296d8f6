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
  /** The member sample (see MEMBER_SAMPLE_SIZE): its keys joined by spaces (one string, not one per key: 200 bots' looks at 69,000 groups are held at once). */
  sample: string;
}

/** A member sample as one string (keys never hold a space), and back. */
export const joinSample = (keys: readonly string[]): string => keys.join(' ');
export const sampleKeys = (sample: string): string[] => (sample ? sample.split(' ') : []);
