import { describe, expect, it } from 'vitest';
import { residentId, SimContacts } from '../../../src/sim/sim-contacts.js';
import { generateWorld } from '../../../src/sim/generate-world.js';
import { reference } from '../../support/sim.js';

describe('SimContacts', () => {
  const bot = { id: 'wxid_bot_a', name: '宣传员', kind: 'bot' as const };

  it('should answer for residents by id from their names alone, and for the contacts it was given as given', () => {
    const contacts = new SimContacts([bot], ['陈阿姨', '林建华']);
    expect(contacts.get(residentId(1))).toEqual({ id: 'wxid_m1', name: '林建华', kind: 'member' });
    expect(contacts.get('wxid_bot_a')).toBe(bot);
    // not a resident: past the last one, or not the id of one
    expect(contacts.get(residentId(2))).toBeUndefined();
    expect(contacts.get('wxid_m01')).toBeUndefined();
    expect(contacts.has('wxid_m0')).toBe(true);
    expect([...contacts.keys()]).toEqual(['wxid_bot_a', 'wxid_m0', 'wxid_m1']);
  });

  it('should let a contact set later replace a resident, listed once', () => {
    const contacts = new SimContacts([], ['陈阿姨', '林建华']);
    contacts.set('wxid_m0', { id: 'wxid_m0', name: '林警官', kind: 'officer' });
    expect(contacts.get('wxid_m0')?.kind).toBe('officer');
    expect([...contacts.values()].map((c) => c.kind)).toEqual(['officer', 'member']);
    expect([contacts.count('member'), contacts.count('officer'), contacts.count('bot')]).toEqual([1, 1, 0]);
  });

  it('should hold a generated world\'s residents, each room member among them', () => {
    const world = generateWorld(reference, { groups: 6, membersPerGroup: 20, bots: [{ botId: 'a', name: '宣传员' }], seed: 3 });
    const contacts = new SimContacts(world.contacts, world.residents);
    for (const room of world.rooms) for (const id of room.memberIds) expect(contacts.get(id)?.kind).toMatch(/^(member|bot)$/);
    expect(world.residents.length).toBeGreaterThan(60);
    for (const name of world.residents) expect(name).toMatch(/\S/);
  });
});
