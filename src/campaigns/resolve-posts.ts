import { createHash } from 'node:crypto';
import type { Post } from '../content/post-schema.js';
import type { CampaignDefinition } from './campaign-schema.js';

/**
 * The post of a campaign that brings its own text (`posts: { text }`): one
 * variant, for the campaign's audience, its hash the text's. Its approval is
 * the campaign's: the text is part of the definition the reviewer saw.
 */
export function inlinePost(campaign: Pick<CampaignDefinition, 'id' | 'name' | 'posts' | 'audience'>): Post | undefined {
  if (Array.isArray(campaign.posts) || !('text' in campaign.posts)) return undefined;
  const text = campaign.posts.text;
  return {
    id: `${campaign.id}-text`, title: campaign.name, audiences: campaign.audience.segments.length ? [...campaign.audience.segments] : ['general'],
    scamTypes: campaign.posts.scamTypes.length ? [...campaign.posts.scamTypes] : ['other'], tags: [], variants: [text],
    contentHash: createHash('sha256').update(text).digest('hex').slice(0, 16), file: `campaign ${campaign.id}`,
  };
}

/** The posts a campaign names or queries (or its own text); `missing` lists unknown ids. */
export function resolveCampaignPosts(campaign: Pick<CampaignDefinition, 'id' | 'name' | 'posts' | 'audience'>, library: readonly Post[]): { posts: Post[]; missing: string[] } {
  const own = inlinePost(campaign);
  if (own) return { posts: [own], missing: [] };
  if (Array.isArray(campaign.posts)) {
    const byId = new Map(library.map((p) => [p.id, p]));
    const posts = campaign.posts.map((id) => byId.get(id)).filter((p): p is Post => !!p);
    return { posts, missing: campaign.posts.filter((id) => !byId.has(id)) };
  }
  const q = campaign.posts as Exclude<CampaignDefinition['posts'], string[] | { text: string }>;
  const posts = library.filter(
    (p) =>
      (q.scamTypes.length === 0 || p.scamTypes.some((t) => q.scamTypes.includes(t))) &&
      (q.audiences.length === 0 || p.audiences.some((a) => q.audiences.includes(a))) &&
      (q.tags.length === 0 || p.tags.some((t) => q.tags.includes(t))),
  );
  return { posts, missing: [] };
}
