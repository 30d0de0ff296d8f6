import type { Post } from '../content/post-schema.js';
import type { CampaignDefinition } from './campaign-schema.js';

/** The posts a campaign names or queries; `missing` lists unknown ids. */
export function resolveCampaignPosts(campaign: Pick<CampaignDefinition, 'posts'>, library: readonly Post[]): { posts: Post[]; missing: string[] } {
  if (Array.isArray(campaign.posts)) {
    const byId = new Map(library.map((p) => [p.id, p]));
    const posts = campaign.posts.map((id) => byId.get(id)).filter((p): p is Post => !!p);
    return { posts, missing: campaign.posts.filter((id) => !byId.has(id)) };
  }
  const q = campaign.posts;
  const posts = library.filter(
    (p) =>
      (q.scamTypes.length === 0 || p.scamTypes.some((t) => q.scamTypes.includes(t))) &&
      (q.audiences.length === 0 || p.audiences.some((a) => q.audiences.includes(a))) &&
      (q.tags.length === 0 || p.tags.some((t) => q.tags.includes(t))),
  );
  return { posts, missing: [] };
}
