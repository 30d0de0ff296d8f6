import { Schema, type Connection, type Model } from 'mongoose';
import type { AuditEntry } from '../../shared/audit-chain.js';

/** The audit log: insert-only, `_id` = the entry's sequence number (a unique insert: two writers never take one place in the chain). */
export type AuditDoc = Omit<AuditEntry, 'seq'> & { _id: number };

const auditSchema = new Schema<AuditDoc>(
  {
    _id: { type: Number, required: true },
    at: { type: Date, required: true },
    actor: { id: String, name: String, via: String },
    action: { type: String, required: true },
    target: { kind: String, id: String },
    version: Number,
    reason: String,
    details: Schema.Types.Mixed,
    prev: String,
    hash: String,
    keyId: String,
    sig: String,
  },
  { collection: 'audit', versionKey: false },
);

export type AuditModel = Model<AuditDoc>;
export function auditModel(conn: Connection): AuditModel {
  return conn.model<AuditDoc>('Audit', auditSchema);
}
