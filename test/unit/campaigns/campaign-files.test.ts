import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readCampaignDir } from '../../../src/campaigns/campaign-files.js';
import { campaignSchema } from '../../../src/campaigns/campaign-schema.js';
import { checkCampaign } from '../../../src/campaigns/validate-campaign.js';
import { loadLibrary } from '../../../src/content/library.js';
import { paths } from '../../../src/config/paths.js';
import { reference } from '../../support/sim.js';

const dir = join(paths.root, 'test', 'fixtures', 'campaigns-hostile');

describe('a folder of campaign files, some hostile or broken', () => {
  const read = readCampaignDir(dir);
  const lines = read.problems.map((p) => `${p.file.split('/').pop()}:${p.line ?? ''}: ${p.field}: ${p.message}`);

  it('should load the good file and report each of the others, never throwing', () => {
    expect(read.files.map((f) => f.def.id)).toEqual(['good-campaign']);
    expect(new Set(read.problems.map((p) => p.file.split('/').pop()))).toEqual(new Set(['bomb.yaml', 'empty.yaml', 'feb30.yaml', 'latin1.yaml', 'misplaced.yaml', 'paris.yaml']));
  });

  it('should name the file of an alias bomb', () => {
    expect(lines).toContainEqual('bomb.yaml:1: : invalid YAML: its aliases (*name) expand past 100 references: write the values out, or use fewer aliases');
  });

  it('should say what an empty campaign file needs', () => {
    expect(lines).toContainEqual('empty.yaml:: : is empty: a campaign needs id, name, audience, posts, schedule');
  });

  it('should name a bad time zone as schedule.timezone with its value', () => {
    expect(lines).toContainEqual('paris.yaml:5: schedule.timezone: must be Asia/Shanghai (got "Europe/Paris")');
  });

  it('should say where a misplaced key belongs, and which keys belong where an unknown one is', () => {
    expect(lines).toContainEqual('misplaced.yaml:6: until: unknown key "until" here: it belongs under window');
    expect(lines).toContainEqual('misplaced.yaml:7: caps.colour: unknown key "colour": the keys here are perGroupPerDay, repeatPostAfterDays');
  });

  it('should refuse a day that does not exist rather than roll it into March', () => {
    expect(lines).toContainEqual('feb30.yaml:5: schedule.at: is not a date that exists: give a date like 2026-11-01 or a time like 2026-11-11T19:30:00+08:00 (got "2027-02-30T19:30:00+08:00")');
    expect(campaignSchema.safeParse({ id: 'x-campaign', name: '窗口', audience: {}, posts: ['a'], schedule: { cron: '0 0 10 * * *' }, window: { from: '2026-13-01' } }).success).toBe(false);
  });

  it('should name bytes that are not UTF-8', () => {
    expect(lines).toContainEqual(expect.stringMatching(/^latin1\.yaml:2: : is not valid UTF-8/));
  });
});

describe('checkCampaign', () => {
  const library = loadLibrary(paths.content);
  const base = campaignSchema.parse({
    id: 'check-campaign', name: '检查', audience: { segments: ['shoppers'] }, posts: ['fake-cs-shoppers-01'],
    schedule: { cron: '0 30 19 * * *' }, window: { from: '2026-11-01', until: '2026-12-15' },
  });
  const now = new Date('2026-12-20T12:00:00+08:00');

  it('should refuse a campaign whose window ended, with the reason', () => {
    expect(checkCampaign(base, library, reference, [], now).errors).toEqual([
      'window.until: 2026-12-15 has passed (now 2026-12-20): the campaign would never run; set a later window.until',
    ]);
    expect(checkCampaign(base, library, reference, [], new Date('2026-12-01T12:00:00+08:00')).errors).toEqual([]);
  });

  it('should refuse a one-off campaign whose time has passed', () => {
    const at = campaignSchema.parse({ ...base, window: undefined, schedule: { at: '2026-12-19T19:30:00+08:00' } });
    expect(checkCampaign(at, library, reference, [], now).errors).toEqual(['schedule.at: 2026-12-19T11:30:00.000Z has passed: a one-off campaign runs once, at that time; set a time ahead']);
  });

  it('should refuse a cron that never fires (the 30th of February)', () => {
    const never = campaignSchema.parse({ ...base, window: undefined, schedule: { cron: '0 0 10 30 2 *' } });
    expect(checkCampaign(never, library, reference, [], now).errors).toEqual(['schedule.cron: "0 0 10 30 2 *" never fires in the next two years: the campaign would never run']);
  });

  it('should list 20 unknown posts and sum up the rest in one line', () => {
    const many = campaignSchema.parse({ ...base, posts: Array.from({ length: 5000 }, (_, i) => `no-such-post-${i}`) });
    const errors = checkCampaign(many, library, reference, [], new Date('2026-12-01T12:00:00+08:00')).errors;
    expect(errors).toHaveLength(21);
    expect(errors[0]).toBe('posts: no post "no-such-post-0" in content/posts (see zhimi content lint)');
    expect(errors[20]).toBe('posts: … and 4,980 more posts not in content/posts (5,000 in all)');
  });
});
