import { z } from 'zod';
import { join } from 'node:path';
import { loadYamlFile } from './yaml-file.js';

const text = z.string().min(1);

export const botMessagesSchema = z.strictObject({
  introduction: text,
  introductionPending: text,
  registered: text,
  suggestion: text,
  paused: text,
  resumed: text,
  resumedPending: text,
  leaving: text,
  officersOnly: text,
  strangerInvite: text,
  help: text,
  scamCheckHint: text,
  scamCheckLimited: text,
});
/** Reviewed texts the bot says in groups (content/bot/messages.yaml). */
export type BotMessages = z.output<typeof botMessagesSchema>;

export const taggingRulesSchema = z.strictObject({
  segments: z.strictObject({
    elderly: z.array(z.string().min(1)),
    students: z.array(z.string().min(1)),
    shoppers: z.array(z.string().min(1)),
    general: z.array(z.string().min(1)),
  }),
});
export type TaggingRules = z.output<typeof taggingRulesSchema>;

export function loadBotMessages(contentDir: string): BotMessages {
  return loadYamlFile(join(contentDir, 'bot', 'messages.yaml'), botMessagesSchema);
}

export function loadTaggingRules(contentDir: string): TaggingRules {
  return loadYamlFile(join(contentDir, 'audience', 'tagging-rules.yaml'), taggingRulesSchema);
}

