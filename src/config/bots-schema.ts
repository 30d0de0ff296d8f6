import { z } from 'zod';

/** Environment variable names we read secrets from (tokens never live in files). */
const envVarName = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'must be an environment variable name in CAPITALS, e.g. ZHIMI_BOT_GULOU01_TOKEN');

/** host:port of a Wechaty puppet service. */
const endpoint = z
  .string()
  .regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8788');

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM in 24-hour time, e.g. 21:30');

/** Sending limits of one bot. Every field documented with its default in bots/fleet.yaml. */
export const limitsSchema = z.strictObject({
  /** Minimum gap between two posts of one bot, in ms. Personal accounts get throttled beyond ~1 msg/s. */
  minGapMs: z.number().int().min(1000, 'must be ≥ 1000 ms: personal WeChat accounts are throttled beyond about one message a second'),
  /** Random extra gap 0…jitterMs added to every post. */
  jitterMs: z.number().int().min(0).max(60_000),
  perMinute: z.number().int().min(1).max(60),
  perHour: z.number().int().min(1),
  perDay: z.number().int().min(1),
});
export type BotLimits = z.output<typeof limitsSchema>;

export const quietHoursSchema = z.strictObject({ from: hhmm, to: hhmm });

/** Who may approve, invite bots or command them is a user's role and bound WeChat id (zhimi users add), never a line in bots/. */
const RETIRED_AUTHORITY = 'is no longer read: who may approve, invite bots or command them is decided by users (zhimi users add <id> --roles … --wechat <WeChat id>), not by bots/';

/**
 * An officer's WeChat account in the simulated world (`zhimi sim`, the demo):
 * who invites bots and speaks in groups there. It grants nothing.
 */
export const officerSchema = z.strictObject({
  /** The officer's WeChat id (as the puppet reports it). */
  id: z.string().min(1),
  name: z.string().min(1),
  role: z.undefined({ error: RETIRED_AUTHORITY }).optional(),
  /** Home district (the simulator puts officers into their district's groups). */
  district: z.string().min(1).optional(),
});
export type Officer = z.output<typeof officerSchema>;

/** An npm package name: never a path, a URL or a `data:` text (`import()` would run any of those). */
export const PACKAGE_NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

/**
 * How a bot's puppet-service connection is secured. `{ caFile, serverName }`:
 * the CA that signed the service's certificate (a PEM file, relative to the
 * bot's file) and the name in that certificate. `insecure`: trust the CA and
 * server key published inside wechaty-puppet-service (anyone can present that
 * certificate), said explicitly: only for a service on a trusted network.
 * Required outside development. @defaultValue development: the library's own
 */
export const puppetTlsSchema = z.union(
  [
    z.literal('insecure'),
    z.strictObject({
      caFile: z.string().min(1),
      serverName: z.string().regex(/^[A-Za-z0-9.-]+$/, 'must be the host name in the service\'s certificate, e.g. puppet.example.gov.cn'),
    }),
  ],
  { error: 'must be { caFile, serverName } (the CA of your puppet service and the name in its certificate), or insecure' },
);
export type PuppetTls = z.output<typeof puppetTlsSchema>;

export const puppetSchema = z
  .strictObject({
    /**
     * npm name of the Wechaty puppet: wechaty-puppet-service in production.
     * Only allow-listed packages load (see allowedPuppets in bots.ts).
     */
    name: z
      .string()
      .min(1)
      .regex(PACKAGE_NAME, 'must be the npm name of a Wechaty puppet package, e.g. wechaty-puppet-service: a path, URL or data: text is never loaded')
      .default('wechaty-puppet-service'),
    endpoint: endpoint.optional(),
    /** Name of the environment variable that holds the token (never the token itself). */
    tokenEnv: envVarName.optional(),
    /** Extra options passed to the puppet as they are. */
    options: z.record(z.string(), z.unknown()).optional(),
    /** wechaty-puppet-service: the CA and server name of the connection, or `insecure` (see puppetTlsSchema). */
    tls: puppetTlsSchema.optional(),
    /**
     * How long a puppet service may stay silent: after `dingAfterSeconds` the
     * bot asks it, after `lostAfterSeconds` it counts the connection as lost
     * (its posts move to other bots) and reconnects; `off` for a service that
     * does not answer a ding. wechaty-puppet-service only. @defaultValue 10 s, 20 s
     */
    liveness: z
      .union([
        z.literal('off'),
        z.strictObject({
          dingAfterSeconds: z.number().int().min(1).max(600),
          lostAfterSeconds: z.number().int().min(2).max(3600),
        }),
      ], { error: 'must be off, or { dingAfterSeconds, lostAfterSeconds } in whole seconds' })
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (p.liveness && p.liveness !== 'off' && p.liveness.lostAfterSeconds <= p.liveness.dingAfterSeconds) {
      ctx.addIssue({ code: 'custom', path: ['liveness', 'lostAfterSeconds'], message: `must be more than dingAfterSeconds (${p.liveness.dingAfterSeconds}): the bot asks the service before it gives the connection up` });
    }
    if (p.name === 'wechaty-puppet-service') {
      if (!p.endpoint) ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'is required for wechaty-puppet-service (host:port)' });
      if (!p.tokenEnv) ctx.addIssue({ code: 'custom', path: ['tokenEnv'], message: 'is required for wechaty-puppet-service: the name of the environment variable holding the token' });
    }
  });
export type PuppetConfig = z.output<typeof puppetSchema>;

/** bots/fleet.yaml: fleet-wide defaults. */
export const fleetSchema = z.strictObject({
  limits: limitsSchema,
  fleet: z.strictObject({
    /** Posts per minute across all bots. */
    perMinute: z.number().int().min(1),
  }),
  quietHours: z.strictObject({ elderly: quietHoursSchema, default: quietHoursSchema }),
  /** Officers every bot accepts invitations and commands from. */
  officers: z.array(officerSchema).default([]),
  /** What the bot calls itself in groups. */
  displayName: z.string().min(1).default('反诈宣传员'),
  /** The scam check members ask the bot for. */
  scamCheck: z
    .strictObject({
      /** Checks one member may ask for per window; past that one note, then silence. */
      perMember: z.number().int().min(1).max(100),
      /**
       * Checks answered in one group per window, counted across every worker
       * (many accounts asking at once must not make the bot flood a group);
       * past that, silence. @defaultValue 10
       */
      perGroup: z.number().int().min(1).max(1000).optional(),
      windowMinutes: z.number().int().min(1).max(1440),
      /** Longer texts are judged on their first maxChars characters, with a note. */
      maxChars: z.number().int().min(50).max(5000),
    })
    .default({ perMember: 3, windowMinutes: 10, maxChars: 500 }),
  /** Engagement counts for the most recent post in the group within this window. */
  engagement: z.strictObject({ windowMinutes: z.number().int().min(1).max(7 * 24 * 60) }).default({ windowMinutes: 120 }),
});
export type FleetFileConfig = z.output<typeof fleetSchema>;

/** bots/<id>.yaml: one WeChat account. */
export const botSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'must be lower-case letters, digits and dashes, e.g. gulou-01'),
  name: z.string().min(1),
  puppet: puppetSchema,
  acceptInvitesFrom: z.undefined({ error: RETIRED_AUTHORITY }).optional(),
  limits: limitsSchema.partial().default({}),
  /** Set false to keep the file but not start the bot. */
  enabled: z.boolean().default(true),
});
export type BotFileConfig = z.output<typeof botSchema>;

/** A bot with every default resolved. */
export interface BotConfig extends Omit<BotFileConfig, 'limits'> {
  limits: BotLimits;
  /** The file it came from, for messages. */
  file: string;
}
