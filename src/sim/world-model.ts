/** The synthetic WeChat world the simulator serves: plain data. */

export type SimSegment = 'elderly' | 'students' | 'shoppers' | 'general';

export interface SimContact {
  id: string;
  name: string;
  kind: 'member' | 'officer' | 'bot' | 'stranger';
}

export interface SimRoom {
  id: string;
  topic: string;
  memberIds: string[];
  ownerId: string;
  /** Ground truth the simulator knows (Zhimi has to be told by an officer). */
  truth: { district: string; station: string; segment: SimSegment; botIds: string[] };
}

export interface SimMessage {
  id: string;
  talkerId: string;
  roomId?: string | undefined;
  listenerId?: string | undefined;
  text: string;
  mentionIds: string[];
  timestamp: number;
}

export interface SimBot {
  botId: string;
  contactId: string;
  name: string;
}

export interface SimInvitation {
  id: string;
  roomId: string;
  inviterId: string;
  inviteeId: string;
  timestamp: number;
  accepted: boolean;
}
