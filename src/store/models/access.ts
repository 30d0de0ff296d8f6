import { Schema, type Connection, type Model } from 'mongoose';

/** A person who uses Zhimi: roles, scope, password (scrypt), optional TOTP, officers' WeChat ids as keyed hashes. */
export interface UserDoc {
  _id: string;
  name: string;
  roles: string[];
  /** `{}` for the whole city; a district; or a district and a police station. */
  scope: { district?: string; station?: string };
  passwordHash: string;
  totpSecret?: string | undefined;
  /** The last TOTP time step used (a code is accepted once). */
  totpLastStep?: number | undefined;
  /** Keyed hashes of the officer's WeChat ids (invitations and in-group commands). */
  wechatKeys: string[];
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastSignInAt?: Date | undefined;
}

/** A browser session (`_id` = hash of the cookie's value): valid on every API instance. */
export interface SessionDoc {
  _id: string;
  userId: string;
  csrf: string;
  createdAt: Date;
  expiresAt: Date;
}

/** An API token for scripts (`_id` = hash of the token, shown once): roles at most the user's, an expiry, revocable. */
export interface TokenDoc {
  _id: string;
  /** Short public id, to list and revoke it. */
  tokenId: string;
  userId: string;
  name: string;
  roles: string[];
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date | undefined;
}

/** One failed sign-in (insert-only: counted for the lock-out). */
export interface AuthFailureDoc {
  _id: string;
  userId: string;
  at: Date;
}

const userSchema = new Schema<UserDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    roles: { type: [String], default: [] },
    scope: { district: String, station: String },
    passwordHash: { type: String, required: true },
    totpSecret: String,
    totpLastStep: Number,
    wechatKeys: { type: [String], default: [] },
    disabled: { type: Boolean, default: false },
    createdAt: Date,
    updatedAt: Date,
    lastSignInAt: Date,
  },
  { collection: 'users', versionKey: false, minimize: false },
);
const sessionSchema = new Schema<SessionDoc>({ _id: String, userId: String, csrf: String, createdAt: Date, expiresAt: Date }, { collection: 'sessions', versionKey: false });
const tokenSchema = new Schema<TokenDoc>(
  { _id: String, tokenId: String, userId: String, name: String, roles: [String], createdAt: Date, expiresAt: Date, revokedAt: Date },
  { collection: 'api_tokens', versionKey: false },
);
tokenSchema.index({ tokenId: 1 }, { unique: true });
const failureSchema = new Schema<AuthFailureDoc>({ _id: String, userId: String, at: Date }, { collection: 'auth_failures', versionKey: false });

export type UserModel = Model<UserDoc>;
export type SessionModel = Model<SessionDoc>;
export type TokenModel = Model<TokenDoc>;
export type AuthFailureModel = Model<AuthFailureDoc>;

export function accessModels(conn: Connection): { User: UserModel; Session: SessionModel; Token: TokenModel; AuthFailure: AuthFailureModel } {
  return {
    User: conn.model<UserDoc>('User', userSchema),
    Session: conn.model<SessionDoc>('Session', sessionSchema),
    Token: conn.model<TokenDoc>('Token', tokenSchema),
    AuthFailure: conn.model<AuthFailureDoc>('AuthFailure', failureSchema),
  };
}
