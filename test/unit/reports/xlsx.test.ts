import { describe, expect, it } from 'vitest';
import { xlsx } from '../../../src/reports/xlsx.js';
import { unzip } from '../../support/unzip.js';

describe('spreadsheets for analysts (.xlsx)', () => {
  const book = unzip(xlsx([
    { name: '鼓楼区 reach', rows: [{ day: '2026-11-30', reach: 120, note: '=HYPERLINK("http://x")' }, { day: '2026-12-01', reach: 7.5, note: 'a<b & "c"\u001b[2J' }] },
    { name: 'tips/types:[x]', rows: [], columns: ['type', 'checks'] },
    { name: 'tips/types:[x]', rows: [] },
  ]));

  it('should hold a workbook with one worksheet per sheet, their names as Excel allows', () => {
    expect([...book.keys()]).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/worksheets/sheet3.xml']);
    expect(book.get('xl/workbook.xml')!.toString()).toContain('<sheet name="鼓楼区 reach" sheetId="1" r:id="rId1"/><sheet name="tips_types__x_" sheetId="2" r:id="rId2"/><sheet name="tips_types__x_~2" sheetId="3" r:id="rId3"/>');
  });

  it('should write numbers as numbers and text as text, never as a formula, without control characters', () => {
    const sheet = book.get('xl/worksheets/sheet1.xml')!.toString();
    expect(sheet).toContain('<c r="B2"><v>120</v></c>');
    expect(sheet).toContain('<c r="C2" t="inlineStr"><is><t xml:space="preserve">=HYPERLINK(&quot;http://x&quot;)</t></is></c>');
    expect(sheet).toContain('a&lt;b &amp; &quot;c&quot;[2J');
    expect(sheet).not.toContain('<f>');
    expect(book.get('xl/worksheets/sheet2.xml')!.toString()).toContain('<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve">type</t></is></c><c r="B1" t="inlineStr"><is><t xml:space="preserve">checks</t></is></c></row>');
  });
});
