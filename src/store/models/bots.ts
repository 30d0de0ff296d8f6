import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

export const BOT_STATUSES = ['online', 'starting', 'stopped', 'offline', 'failed'] as const;
export type BotStatus = (typeof BOT_STATUSES)[number];

/** Fleet accounts as the database knows them: their own WeChat id and last state. */
const botSchema = new Schema(
  {
    botId: { type: String, required: true },
    /** The bot's own WeChat id (our account, not a member's), to leave bots out of member counts. */
    contactId: { type: String },
    /**
     * online: logged in (and sending while its heartbeat is fresh); starting: a worker took it and is logging
     * it in; stopped: stopped on purpose (shutdown, handed to another worker), not logged out; offline: logged
     * out or its puppet dropped; failed: could not start.
     */
    status: { type: String, enum: BOT_STATUSES, default: 'offline' },
    lastLoginAt: { type: Date },
    lastError: { type: String },
    /** Where the worker wrote the QR code its account must scan to log in, while one waits (a file path). */
    loginQr: { type: String },
    /**
     * What that QR code encodes, while it waits (a few minutes): the console draws it for fleet operators only,
     * and each showing is audited. Gone once the bot is logged in.
     */
    loginQrCode: { type: String },
    /** Worker that runs the bot and when it last said so (online = a fresh heartbeat). */
    workerId: { type: String },
    heartbeatAt: { type: Date },
    /** Back-off after throttling: gap multiplier and pause. */
    backoffFactor: { type: Number, default: 1 },
    cooldownUntil: { type: Date },
  },
  { timestamps: true, collection: 'bots' },
);
botSchema.index({ botId: 1 }, { unique: true });

export type BotDoc = InferSchemaType<typeof botSchema>;
export type BotModel = Model<BotDoc>;

export function botModel(conn: Connection): BotModel {
  return conn.model<BotDoc>('Bot', botSchema);
}
