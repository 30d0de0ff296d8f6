import { describe, expect, it } from 'vitest';
import { formatRows } from '../../../src/reports/format.js';

const rows = [
  { district: '仓山区', groups: 12, reach: 1234 },
  { district: 'Gulou, "old"', groups: 3, reach: 5 },
];

describe('formatRows', () => {
  it('should align CJK text by display width and right-align numbers', () => {
    expect(formatRows(rows, 'table')).toBe(
      ['district      groups  reach', '------------  ------  -----', '仓山区            12  1,234', 'Gulou, "old"       3      5'].join('\n'),
    );
  });
  it('should quote CSV cells that need it', () => {
    expect(formatRows(rows, 'csv')).toBe('district,groups,reach\n仓山区,12,1234\n"Gulou, ""old""",3,5');
  });
  it('should give JSON with every column', () => {
    expect(JSON.parse(formatRows(rows, 'json'))).toEqual(rows);
  });
});
