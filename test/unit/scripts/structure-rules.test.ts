import { describe, expect, it } from 'vitest';
import { checkStructure } from '../../../scripts/structure-rules.js';

/** A small house in order: every step, each importing an earlier one. */
const clean: Record<string, string> = {
  'shared/groups.ts': 'export const SEGMENTS = [];',
  'config/clock.ts': 'export const systemClock = {};',
  'store/groups-repo.ts': "import mongoose from 'mongoose';\nimport type { GroupRecord } from '../shared/groups.js';",
  'content/render.ts': "import { SEGMENTS } from '../shared/groups.js';",
  'audience/select-groups.ts': "import type { GroupRecord } from '../shared/groups.js';",
  'campaigns/plan-targets.ts': "import { SEGMENTS } from '../shared/groups.js';",
  'campaigns/scheduler.ts': "import { listGroups } from '../store/groups-repo.js';",
  'outbox/outbox.ts': "import type { PlanOutbox } from '../campaigns/scheduler.js';",
  'delivery/dispatcher.ts': "import { openDeliveries } from '../outbox/outbox.js';",
  'channels/wechaty/bot-runner.ts': "import { WechatyBuilder } from 'wechaty';\nimport type { PostingBot } from '../../delivery/dispatcher.js';",
  'fleet/fleet.ts': "import type { ChannelBot } from '../channels/wechaty/bot-runner.js';",
  'engagement/recorder.ts': "import type { InboundMessage } from '../channels/wechaty/bot-runner.js';",
  'reports/reports.ts': "import { primarySegment } from '../engagement/recorder.js';",
  'app/campaigns.ts': "import { listGroups } from '../store/groups-repo.js';",
  'cli/commands.ts': "import { listGroups } from '../app/campaigns.js';",
  'api/server.ts': "import { listGroups } from '../app/campaigns.js';",
  'sim/simulator.ts': "import { PuppetServer } from 'wechaty-puppet-service';\nimport { freePort } from '../shared/groups.js';",
};

const planted = (file: string, text: string): string[] => checkStructure(new Map(Object.entries({ ...clean, [file]: text })));

describe('the structure check', () => {
  it('should pass a house in order', () => {
    expect(checkStructure(new Map(Object.entries(clean)))).toEqual([]);
  });

  it.each([
    ['the CLI importing the store', 'cli/commands.ts', "import { listGroups } from '../store/groups-repo.js';", /the CLI imports store\/groups-repo\.ts; faces go through src\/app\//],
    ['the CLI importing a store type', 'cli/commands.ts', "import type { Store } from '../store/groups-repo.js';", /the CLI imports store\//],
    ['the HTTP API importing the store', 'api/server.ts', "import { listGroups } from '../store/groups-repo.js';", /the HTTP API imports store\/groups-repo\.ts/],
    ['the simulator importing the store', 'sim/simulator.ts', "import { listGroups } from '../store/groups-repo.js';", /the simulator imports store\/groups-repo\.ts/],
    ['the simulator importing a Zhimi module a WeChat peer would not know', 'sim/simulator.ts', "import { planTargets } from '../campaigns/plan-targets.js';", /the simulator imports campaigns\/plan-targets\.ts/],
    ['content importing the store', 'content/render.ts', "import { listGroups } from '../store/groups-repo.js';", /content imports store\/groups-repo\.ts/],
    ['audience importing a channel', 'audience/select-groups.ts', "import type { ChannelBot } from '../channels/wechaty/bot-runner.js';", /audience imports channels\/wechaty\/bot-runner\.ts; it knows no channel or fleet/],
    ['reports importing the fleet', 'reports/reports.ts', "import { Fleet } from '../fleet/fleet.js';", /reports imports fleet\/fleet\.ts; it knows no channel or fleet/],
    ['the fleet importing campaigns', 'fleet/fleet.ts', "import { planTargets } from '../campaigns/plan-targets.js';", /fleet imports campaigns\/plan-targets\.ts; bots and channels know no campaigns/],
    ['a channel importing campaigns', 'channels/wechaty/bot-runner.ts', "import { planTargets } from '../../campaigns/plan-targets.js';", /channels imports campaigns\/plan-targets\.ts/],
    ['a pure module importing mongoose', 'campaigns/plan-targets.ts', "import { Types } from 'mongoose';", /a pure module imports mongoose/],
    ['a pure module importing wechaty', 'audience/select-groups.ts', "import type {} from '../shared/groups.js';\nimport { Contact } from 'wechaty';", /a pure module imports wechaty/],
    ['a pure module doing node I/O', 'content/render.ts', "import { readFileSync } from 'node:fs';", /a pure module imports node:fs/],
    ['a pure module importing one that is not pure', 'campaigns/plan-targets.ts', "import { listGroups } from '../store/groups-repo.js';", /a pure module imports store\/groups-repo\.ts, which is not pure/],
    ['a step importing a later step', 'campaigns/scheduler.ts', "import { Dispatcher } from '../delivery/dispatcher.js';", /campaigns\/ imports delivery\/dispatcher\.ts, a later step/],
    ['mongoose outside the store', 'delivery/dispatcher.ts', "import { Types } from 'mongoose';", /imports mongoose; only src\/store\/ may/],
    ['wechaty outside its channel', 'fleet/fleet.ts', "import { Wechaty } from 'wechaty';", /imports wechaty; only src\/channels\/wechaty\/ \(and the simulator\) may/],
    ['a folder with no place in the plan', 'misc/helper.ts', 'export const x = 1;', /folder "misc" has no layer/],
  ])('should fail on %s', (_what, file, text, problem) => {
    const problems = planted(file, text);
    expect(problems.some((p) => problem.test(p))).toBe(true);
  });

  it('should fail on an import cycle', () => {
    const problems = checkStructure(new Map(Object.entries({ ...clean, 'outbox/a.ts': "import { b } from './b.js';", 'outbox/b.ts': "import { a } from './a.js';" })));
    expect(problems).toContainEqual(expect.stringMatching(/^import cycle: src\/outbox\/(a|b)\.ts → src\/outbox\/(a|b)\.ts$/));
  });
});
