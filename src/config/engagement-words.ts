import { join } from 'node:path';
import { z } from 'zod';
import { loadYamlFile } from './yaml-file.js';

const words = z.array(z.string().min(1)).min(1);
export const engagementWordsSchema = z.strictObject({ acknowledgement: words, concern: words, questionSigns: words });

/** content/engagement/keywords.yaml */
export function loadEngagementWords(contentDir: string): z.output<typeof engagementWordsSchema> {
  return loadYamlFile(join(contentDir, 'engagement', 'keywords.yaml'), engagementWordsSchema);
}
