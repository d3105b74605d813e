import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translator } from '../../i18n/i18n.ts';
import { CSV_BOM, csvCell, csvLine, csvLines, exportColumns } from './cell.csv.ts';
import type { ExportRow } from './cell.repository.ts';

test('cells are quoted as RFC 4180 says, only when needed', () => {
  assert.equal(csvCell('plain'), 'plain');
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('cr\r\nlf'), '"cr\r\nlf"');
  assert.equal(csvCell('الفانوس مطفأ، قرب المدرسة'), 'الفانوس مطفأ، قرب المدرسة', 'the Arabic comma is not a separator');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(''), '');
  assert.equal(csvCell(42), '42');
  assert.equal(csvCell(-3), '-3', 'numbers are not formulas');
  assert.equal(csvCell(36.18123), '36.18123');
  assert.equal(csvLine(['a', 'b,c', null, 1]), 'a,"b,c",,1\r\n');
});

test('text a spreadsheet would run as a formula gets a leading apostrophe', () => {
  assert.equal(csvCell('=1+1'), "'=1+1");
  assert.equal(csvCell('+21622123456'), "'+21622123456");
  assert.equal(csvCell('-2+3'), "'-2+3");
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell('\t=cmd'), "'\t=cmd");
  assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
  assert.equal(csvCell('a=b'), 'a=b', 'only at the start');
});

const row: ExportRow & { personal: boolean } = {
  id: 1,
  tracking_number: 'KEF-2026-000001',
  version: 3,
  status: 'in_progress',
  priority: 'high',
  channel: 'counter',
  category_id: 1,
  category_name_ar: 'التنوير العمومي',
  category_name_fr: 'Éclairage public',
  category_name_en: 'Street lighting',
  department_id: 1,
  department_name_ar: 'المصلحة الفنية',
  department_name_fr: 'Service technique',
  department_name_en: 'Technical service',
  neighbourhood_name_ar: null,
  neighbourhood_name_fr: null,
  neighbourhood_name_en: null,
  assignee_user_id: 5,
  assignee_name: 'Agent',
  follower_count: 2,
  acknowledged_at: '2026-01-01T10:00:00.000Z',
  ack_due_at: '2026-01-03T10:00:00.000Z',
  resolve_due_at: '2026-01-22T10:00:00.000Z',
  created_at: '2026-01-01T09:00:00.000Z',
  description: 'Mon voisin Karim, 22 111 222',
  description_public: 'Un voisin',
  address_text: null,
  latitude: 36.18,
  longitude: 8.71,
  contact_name: 'Karim',
  contact_phone: '+21622111222',
  contact_email: null,
  reporter_user_id: null,
  first_response_at: null,
  resolved_at: null,
  closed_at: null,
  forwarded_to: null,
  status_reason: null,
  personal: true,
};

async function collect(lines: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const line of lines) text += line;
  return text;
}

async function* rows(...items: (ExportRow & { personal: boolean })[]) {
  yield* items;
}

test('the file: a BOM, the header in the reader’s language, personal columns only when allowed', async () => {
  const fr = translator('fr');
  const withPersonal = await collect(csvLines(exportColumns(fr.t, 'fr', { personalData: true, now: '2026-01-25T10:00:00.000Z' }), rows(row)));
  assert.ok(withPersonal.startsWith(CSV_BOM));
  const [header, line, end] = withPersonal.slice(1).split('\r\n');
  assert.ok(header!.startsWith('Numéro de suivi,Déposée le,État'));
  assert.ok(header!.includes('Téléphone du citoyen'));
  assert.equal(end, '');
  const cells = line!.split(',');
  assert.equal(cells[0], 'KEF-2026-000001');
  assert.ok(line!.includes('En cours de traitement,in_progress,Haute,Guichet,Éclairage public,Service technique'));
  assert.ok(line!.includes(',-3,'), 'three days late on the resolution deadline');
  assert.ok(line!.includes('Un voisin'), 'the published text');
  assert.ok(line!.endsWith(`Karim,'+21622111222,,"Mon voisin Karim, 22 111 222"`));

  const rowWithoutRight = await collect(csvLines(exportColumns(fr.t, 'fr', { personalData: true, now: row.created_at }), rows({ ...row, personal: false })));
  assert.ok(!rowWithoutRight.includes('Karim') && !rowWithoutRight.includes('22111222'), 'a row the actor may not see personally stays blank');

  const without = await collect(csvLines(exportColumns(fr.t, 'fr', { personalData: false, now: row.created_at }), rows(row)));
  assert.ok(!without.includes('Téléphone du citoyen') && !without.includes('Karim') && !without.includes('22111222'));

  const ar = translator('ar');
  const arabic = await collect(csvLines(exportColumns(ar.t, 'ar', { personalData: false, now: row.created_at }), rows(row)));
  assert.ok(arabic.startsWith(`${CSV_BOM}رقم المتابعة,`));
  assert.ok(arabic.includes('التنوير العمومي'));
  assert.equal(Buffer.from(arabic, 'utf8').subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 byte-order mark');
});
