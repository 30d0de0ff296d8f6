import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadLibrary, readLibrary } from '../../../src/content/library.js';
import { renderPost } from '../../../src/content/render.js';
import { postFrontMatterSchema } from '../../../src/content/post-schema.js';
import { paths } from '../../../src/config/paths.js';
import { reference } from '../../support/sim.js';

const REQUIRED_TYPES = ['shuadan', 'investment', 'loan', 'fake-cs', 'police', 'boss', 'game', 'romance', 'credit'];

describe('the shipped content library', () => {
  const posts = loadLibrary(paths.content);

  it('should pass lint with at least 40 posts covering the required scam types and all four segments', () => {
    expect(posts.length).toBeGreaterThanOrEqual(40);
    const types = new Set(posts.flatMap((p) => p.scamTypes));
    for (const t of REQUIRED_TYPES) expect(types).toContain(t);
    expect(posts.some((p) => p.tags.includes('百万保障'))).toBe(true);
    for (const seg of ['elderly', 'students', 'shoppers', 'general']) expect(posts.filter((p) => p.audiences.includes(seg as never)).length).toBeGreaterThanOrEqual(8);
  });

  it('should end every wording with what to do', () => {
    for (const p of posts) for (const v of p.variants) expect(v.slice(-80)).toMatch(/110/);
  });

  it('should render district, station and hotline from the group', () => {
    const p = posts.find((x) => x.id === 'app-96110-general-01')!;
    const text = renderPost(p, 1, { district: '仓山区', station: '金山派出所' }, reference);
    expect(text).toContain('仓山区的居民朋友');
    expect(text).toContain('到金山派出所报案');
    expect(text).toContain('拨打96110咨询');
    expect(text).not.toMatch(/\{\w+\}/);
    expect(renderPost(p, 1, {}, reference)).toContain('到辖区派出所报案');
  });
});

describe('content lint on broken posts', () => {
  const { problems } = readLibrary(paths.content, join(paths.root, 'test', 'fixtures', 'posts-bad'));
  const lines = problems.map((p) => `${p.file.split('/').pop()}:${p.line}: ${p.field}: ${p.message}`);

  it.each([
    ['duplicate id', /^dup-b\.md:2: id: duplicate post id "dup-post", also in .*dup-a\.md$/],
    ['unknown audience', /^dup-b\.md:4: audiences\.0: must be one of elderly, students, shoppers, general \(got "retirees"\)$/],
    ['unknown scam type', /^dup-b\.md:5: scamTypes\.0: unknown scam type "lottery": one of shuadan, /],
    ['link outside the allow-list', /^dup-b\.md:6: link: domain evil\.example\.com is not allowed: links may point only to mps\.gov\.cn/],
    ['missing image', /^dup-b\.md:7: image: content\/assets\/missing\.png does not exist$/],
    ['empty variant', /^dup-b\.md:13: variant 2: is empty$/],
    ['body over the limit', /^too-long\.md:7: variant 1: is 916 characters: at most 800$/],
  ])('should report a %s with file, line and field', (_kind, re) => {
    expect(lines).toContainEqual(expect.stringMatching(re));
  });

  it('should report nothing else', () => {
    expect(lines).toHaveLength(7);
  });
});

describe('post validity dates', () => {
  const front = { id: 'valid-dates-01', title: '有效期', audiences: ['general'], scamTypes: ['fake-cs'] };

  it('should read a bare validUntil as the end of that day in Asia/Shanghai, and a bare validFrom as its start', () => {
    const fm = postFrontMatterSchema.parse({ ...front, validFrom: '2026-11-11', validUntil: '2026-11-30' });
    expect(fm.validFrom!.toISOString()).toBe('2026-11-10T16:00:00.000Z');
    expect(fm.validUntil!.toISOString()).toBe('2026-11-30T15:59:59.999Z');
    expect(postFrontMatterSchema.parse({ ...front, validUntil: '2026-11-30T18:00:00+08:00' }).validUntil!.toISOString()).toBe('2026-11-30T10:00:00.000Z');
  });

  it('should reject a date that does not exist, saying what is allowed', () => {
    const r = postFrontMatterSchema.safeParse({ ...front, validUntil: '2026-13-45' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]).toMatchObject({ path: ['validUntil'], message: expect.stringMatching(/must be a date, e\.g\. 2026-11-01/) });
  });
});

describe('content lint on hostile and carelessly saved posts', () => {
  const dir = join(paths.root, 'test', 'fixtures', 'posts-hostile');
  const { posts, problems } = readLibrary(paths.content, dir);
  const lines = problems.map((p) => `${p.file.split('/').pop()}:${p.line}: ${p.field}: ${p.message}`);

  it('should accept a post saved with Windows line ends (CRLF) or a UTF-8 byte-order mark', () => {
    expect(posts.map((p) => p.id)).toEqual(expect.arrayContaining(['crlf-ok', 'bom-ok']));
    expect(lines.filter((l) => /^(crlf-ok|bom-ok)\.md/.test(l))).toEqual([]);
    const crlf = posts.find((p) => p.id === 'crlf-ok')!;
    expect(crlf.variants.join('')).not.toContain('\r');
  });

  it('should name a file that is not UTF-8 as such', () => {
    expect(lines).toContainEqual(expect.stringMatching(/^latin1\.md:3: : is not valid UTF-8 \(byte \d+\): save it as UTF-8$/));
  });

  it('should report a post whose front matter is an alias bomb, not let it vanish', () => {
    expect(lines).toContainEqual(expect.stringMatching(/^bomb\.md:2: : invalid YAML: its aliases \(\*name\) expand past 100 references/));
  });

  it('should refuse an image path that leaves content/assets/', () => {
    expect(lines).toContainEqual('escape-image.md:6: image: must be a file inside content/assets/, without an absolute path or ../ that leaves it (got "../../../../../../etc/passwd")');
  });

  it('should name placeholders other than {district}, {station} and {hotline}', () => {
    expect(lines).toContainEqual('proto.md:7: variant 1: unknown placeholder {__proto__}: only {district}, {station}, {hotline} are filled in');
    expect(lines).toContainEqual('proto.md:7: variant 1: unknown placeholder {toString}: only {district}, {station}, {hotline} are filled in');
  });

  it('should name a javascript: link as a scheme that is not allowed', () => {
    expect(lines).toContainEqual('js-link.md:6: link: scheme javascript: is not allowed: links must be https:// addresses (got "javascript:alert(document.cookie)")');
  });

  it('should render only the documented placeholders', () => {
    const text = renderPost({ variants: ['{__proto__} {toString} {constructor} {district}'] }, 0, { district: '仓山区' }, reference);
    expect(text).toBe('{__proto__} {toString} {constructor} 仓山区');
  });

  it('should report nothing else', () => {
    expect(lines).toHaveLength(6);
  });
});
