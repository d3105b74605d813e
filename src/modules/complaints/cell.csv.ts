// The CSV export of the complaints cell: RFC 4180 (comma separated, CRLF line ends, fields with
// commas, quotes or line breaks quoted, quotes doubled), UTF-8 with a byte-order mark so that
// Excel reads Arabic instead of showing mojibake, and cells that a spreadsheet would run as a
// formula (=, +, -, @, and tab or carriage return before them) neutralised with a leading
// apostrophe: a citizen's text such as "=HYPERLINK(…)" must stay text on a staff computer.
import type { Translate } from '../../i18n/i18n.ts';
import { localName } from '../../i18n/i18n.ts';
import type { Locale } from '../../config.ts';
import type { ExportRow } from './cell.repository.ts';
import { currentDeadline, daysUntil } from './complaints.ts';

export const CSV_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: numbers as written, text neutralised against formulas and quoted when needed. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

type Column = { header: string; value(row: ExportRow & { personal: boolean }): string | number | null };

/** The export's columns in the reader's language; personal ones only when the file may carry them. */
export function exportColumns(t: Translate, locale: Locale, options: { personalData: boolean; now: string }): Column[] {
  const name = (ar: string | null, fr: string | null, en: string | null) =>
    ar === null || fr === null || en === null ? null : localName({ name_ar: ar, name_fr: fr, name_en: en }, locale);
  const columns: Column[] = [
    { header: t('complaints.cell.csv.tracking_number'), value: (r) => r.tracking_number },
    { header: t('complaints.cell.csv.created_at'), value: (r) => r.created_at },
    { header: t('complaints.cell.csv.status'), value: (r) => t(`complaints.status.${r.status}`) },
    { header: t('complaints.cell.csv.status_code'), value: (r) => r.status },
    { header: t('complaints.cell.csv.priority'), value: (r) => t(`complaints.priority.${r.priority}`) },
    { header: t('complaints.cell.csv.channel'), value: (r) => t(`complaints.channel.${r.channel}`) },
    { header: t('complaints.cell.csv.category'), value: (r) => name(r.category_name_ar, r.category_name_fr, r.category_name_en) },
    { header: t('complaints.cell.csv.department'), value: (r) => name(r.department_name_ar, r.department_name_fr, r.department_name_en) },
    { header: t('complaints.cell.csv.neighbourhood'), value: (r) => name(r.neighbourhood_name_ar, r.neighbourhood_name_fr, r.neighbourhood_name_en) },
    { header: t('complaints.cell.csv.assignee'), value: (r) => r.assignee_name },
    { header: t('complaints.cell.csv.followers'), value: (r) => r.follower_count },
    { header: t('complaints.cell.csv.due_at'), value: (r) => currentDeadline(r)?.dueAt ?? null },
    {
      header: t('complaints.cell.csv.days_left'),
      value: (r) => {
        const deadline = currentDeadline(r);
        return deadline ? daysUntil(deadline.dueAt, options.now) : null;
      },
    },
    { header: t('complaints.cell.csv.acknowledged_at'), value: (r) => r.acknowledged_at },
    { header: t('complaints.cell.csv.first_response_at'), value: (r) => r.first_response_at },
    { header: t('complaints.cell.csv.resolved_at'), value: (r) => r.resolved_at },
    { header: t('complaints.cell.csv.closed_at'), value: (r) => r.closed_at },
    { header: t('complaints.cell.csv.forwarded_to'), value: (r) => r.forwarded_to },
    { header: t('complaints.cell.csv.status_reason'), value: (r) => r.status_reason },
    // What the public sees: the masked text when a moderator hid personal data.
    { header: t('complaints.cell.csv.description'), value: (r) => r.description_public ?? r.description },
    { header: t('complaints.cell.csv.address'), value: (r) => r.address_text },
    { header: t('complaints.cell.csv.latitude'), value: (r) => r.latitude },
    { header: t('complaints.cell.csv.longitude'), value: (r) => r.longitude },
  ];
  if (options.personalData) {
    columns.push(
      { header: t('complaints.cell.csv.contact_name'), value: (r) => (r.personal ? r.contact_name : null) },
      { header: t('complaints.cell.csv.contact_phone'), value: (r) => (r.personal ? r.contact_phone : null) },
      { header: t('complaints.cell.csv.contact_email'), value: (r) => (r.personal ? r.contact_email : null) },
      { header: t('complaints.cell.csv.original_description'), value: (r) => (r.personal && r.description_public !== null ? r.description : null) },
    );
  }
  return columns;
}

/** The whole file as a stream of lines: the BOM and header first, then one line per complaint. */
export async function* csvLines(columns: Column[], rows: AsyncIterable<ExportRow & { personal: boolean }>): AsyncGenerator<string> {
  yield CSV_BOM + csvLine(columns.map((c) => c.header));
  for await (const row of rows) yield csvLine(columns.map((c) => c.value(row)));
}
