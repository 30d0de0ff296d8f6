import { fillTemplate } from '../shared/fill-template.js';
import type { ReferenceData } from '../config/reference.js';
import type { Post } from './post-schema.js';

/** The group data a post is rendered for. */
export interface RenderTarget {
  district?: string | undefined;
  station?: string | undefined;
}

/**
 * Render one variant of a post for a group: `{district}`, `{station}` (the
 * local police station, or "辖区派出所") and `{hotline}` from the reference data.
 */
export function renderPost(post: Pick<Post, 'variants' | 'link'>, variant: number, target: RenderTarget, ref: ReferenceData, link?: string): string {
  const template = post.variants[variant % post.variants.length]!;
  const text = fillTemplate(template, {
    district: target.district ?? ref.city,
    station: target.station ?? '辖区派出所',
    hotline: ref.hotline,
  });
  const url = link ?? post.link;
  return url ? `${text}\n${url}` : text;
}
