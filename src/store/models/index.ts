import type { Connection } from 'mongoose';
import { groupModel, type GroupModel } from './groups.js';
import { deliveryModel, type DeliveryModel } from './deliveries.js';
import { botModel, type BotModel } from './bots.js';
import { claimModel, type ClaimModel } from './claims.js';

export interface Models {
  Group: GroupModel;
  Delivery: DeliveryModel;
  Bot: BotModel;
  Claim: ClaimModel;
}

export function registerModels(conn: Connection): Models {
  return { Group: groupModel(conn), Delivery: deliveryModel(conn), Bot: botModel(conn), Claim: claimModel(conn) };
}
