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

describe('formatRows with texts from residents and group names', () => {
  const hostile = [
    { topic: '\u001b[2J\u001b]0;pwned\u0007鼓楼区\u009b31m反诈群\u202egpj.exe', text: '=HYPERLINK("http://evil.example","点我")', n: -3 },
    { topic: '+cmd|\' /C calc\'!A0', text: '@SUM(1+1)\n第二行', n: 4 },
    { topic: '-2+3', text: '\tindent', n: 5 },
  ];
  // a tab or line break inside a CSV cell is data, and harmless on a terminal
  const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it('should never put an escape code, C1 control or bidi override on the terminal, in any format', () => {
    for (const format of ['table', 'csv', 'json'] as const) expect(formatRows(hostile, format)).not.toMatch(UNSAFE);
    const table = formatRows(hostile, 'table');
    expect(table).toContain('\\x1b[2J\\x1b]0;pwned\\x07鼓楼区\\x9b31m反诈群\\u202egpj.exe');
    expect(table.split('\n')).toHaveLength(5); // a line break inside a cell does not break the table
  });

  it('should keep every spreadsheet formula a text in CSV and in the table', () => {
    const csv = formatRows(hostile, 'csv').split('\n');
    expect(csv[1]).toBe(`\\x1b[2J\\x1b]0;pwned\\x07鼓楼区\\x9b31m反诈群\\u202egpj.exe,"'=HYPERLINK(""http://evil.example"",""点我"")",-3`);
    expect(csv[2]).toBe(`'+cmd|' /C calc'!A0,"'@SUM(1+1)`);
    expect(csv[4]).toBe(`'-2+3,'\tindent,5`);
    expect(formatRows(hostile, 'table')).toContain("'=HYPERLINK(");
  });

  it('should give JSON that parses back to exactly the same data', () => {
    const json = formatRows(hostile, 'json');
    expect(json).toContain('\\u001b[2J');
    expect(json).toContain('\\u009b31m');
    expect(json).toContain('\\u202e');
    expect(JSON.parse(json)).toEqual(hostile);
  });
});
