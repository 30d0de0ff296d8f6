import { loadBotMessages, loadTaggingRules, type BotMessages, type TaggingRules } from './content-texts.js';
import { loadReferenceData, type ReferenceData } from './reference.js';
import { join } from 'node:path';

/** Reviewed content the bots need in groups, loaded and validated once. */
export interface GroupContentBundle {
  ref: ReferenceData;
  messages: BotMessages;
  rules: TaggingRules;
}

export function loadGroupContent(contentDir: string): GroupContentBundle {
  return {
    ref: loadReferenceData(join(contentDir, 'reference', 'fuzhou.yaml')),
    messages: loadBotMessages(contentDir),
    rules: loadTaggingRules(contentDir),
  };
}
