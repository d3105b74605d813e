// Open311 GeoReport v2 answers in its two formats. Every answer is built once as plain data and
// written as JSON or XML from it, following the specification's "Spark convention": a JSON list
// is an XML element holding one child element per item (`services` → `service`), an object is
// an element with one child per field. XML is the specification's required format; its text is
// escaped here and nowhere else, so a complaint saying `<script>` or `Ben Arous & Co` reaches a
// client's parser as text.
import { TIME_ZONE } from '../../i18n/i18n.ts';

export type Open311Format = 'json' | 'xml';
export const OPEN311_FORMATS: readonly Open311Format[] = ['json', 'xml'];

/** A value as the specification shapes it; `undefined` fields are left out of both formats. */
export type Open311Value = string | number | boolean | null | undefined | Open311Value[] | { [field: string]: Open311Value };

/** The element name of a list's items, by the list's own name (Spark convention). */
export const ITEM_NAMES: Readonly<Record<string, string>> = {
  services: 'service',
  attributes: 'attribute',
  values: 'value',
  service_requests: 'request',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
};

export const CONTENT_TYPES: Record<Open311Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Characters XML 1.0 cannot carry at all, even escaped: control characters other than tab and
 * line breaks, lone surrogates (half an emoji), U+FFFE and U+FFFF. A citizen's text can contain
 * them (a phone keyboard, a copy-paste); they become U+FFFD rather than a document no client
 * can parse.
 */
const NOT_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
const NOT_XML_TEST = new RegExp(NOT_XML.source, 'u');

const SPECIAL = /[&<>"']/g;
const SPECIAL_TEST = /[&<>"']/;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text safe inside an XML element or a double- or single-quoted attribute. */
export function escapeXml(text: string): string {
  // Most text needs nothing; a thousand requests' worth of it is checked, not rewritten.
  const clean = NOT_XML_TEST.test(text) ? text.replace(NOT_XML, '\uFFFD') : text;
  return SPECIAL_TEST.test(clean) ? clean.replace(SPECIAL, (c) => ENTITIES[c]!) : clean;
}

function scalarText(value: string | number | boolean): string {
  if (typeof value === 'number') {
    // NaN and Infinity have no place in either format; they never come from our data.
    if (!Number.isFinite(value)) throw new Error('Open311 numbers must be finite');
    return String(value);
  }
  return typeof value === 'boolean' ? (value ? 'true' : 'false') : value;
}

function element(name: string, value: Open311Value, out: string[]): void {
  if (value === undefined) return;
  if (!NAME_PATTERN.test(name)) throw new Error(`Not an XML element name: ${name}`);
  if (value === null) {
    out.push(`<${name}/>`);
  } else if (Array.isArray(value)) {
    const itemName = ITEM_NAMES[name];
    if (!itemName) throw new Error(`No item element name for the list ${name}`);
    if (value.length === 0) {
      out.push(`<${name}/>`);
      return;
    }
    out.push(`<${name}>`);
    for (const item of value) element(itemName, item, out);
    out.push(`</${name}>`);
  } else if (typeof value === 'object') {
    out.push(`<${name}>`);
    for (const [field, fieldValue] of Object.entries(value)) element(field, fieldValue, out);
    out.push(`</${name}>`);
  } else {
    const text = scalarText(value);
    out.push(text === '' ? `<${name}/>` : `<${name}>${escapeXml(text)}</${name}>`);
  }
}

/** An XML document whose root element is `root`, with the declaration the specification asks for. */
export function toXml(root: string, value: Open311Value): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  element(root, value, out);
  out.push('\n');
  return out.join('');
}

export function toJson(value: Open311Value): string {
  // JSON.stringify leaves out undefined fields, as the XML writer does.
  return JSON.stringify(value);
}

/** The document in the asked format; `root` names the XML root element (the JSON has none). */
export function serialize(format: Open311Format, root: string, value: Open311Value): string {
  return format === 'xml' ? toXml(root, value) : toJson(value);
}

// ---------------------------------------------------------------------------------------------
// Dates: the specification wants ISO 8601 with the time zone; El Kef's clock is Africa/Tunis.

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

/** The zone's offset ("+01:00") during one UTC hour, computed once: offsets change on the hour. */
const offsetByHour = new Map<number, string>();

function zoneOffset(ms: number): string {
  const hour = Math.floor(ms / 3_600_000);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    const name = partsFormat.formatToParts(new Date(hour * 3_600_000)).find((p) => p.type === 'timeZoneName')?.value ?? '';
    // "GMT+01:00", or a bare "GMT" for a zero offset.
    offset = /^GMT([+-]\d{2}:\d{2})$/.exec(name)?.[1] ?? '+00:00';
    if (offsetByHour.size > 100_000) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

/** "2026-03-01T14:05:09+01:00" for a stored UTC timestamp, in the municipality's time zone. */
export function open311DateTime(iso: string): string {
  const ms = Date.parse(iso);
  const offset = zoneOffset(ms);
  const minutes = (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  // The local wall-clock time is UTC shifted by the offset; toISOString writes it.
  return `${new Date(ms + minutes * 60_000).toISOString().slice(0, 19)}${offset}`;
}

// W3C-DTF as the specification asks (2010-01-01T00:00:00Z), with an offset or Z; a plain day
// (2010-01-01) is read as the start of that day in El Kef.
const DATE_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function realDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Milliseconds since the epoch of a W3C date-time or day, or null when it is not one. */
export function parseOpen311DateTime(text: string): number | null {
  const full = DATE_TIME_PATTERN.exec(text);
  if (full) {
    const [, y, mo, d, h, mi, s] = full;
    if (!realDay(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return null;
    const offset = full[7]!;
    if (offset !== 'Z' && (Number(offset.slice(1, 3)) > 14 || Number(offset.slice(4, 6)) > 59)) return null;
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : ms;
  }
  const day = DAY_PATTERN.exec(text);
  if (day) {
    if (!realDay(Number(day[1]), Number(day[2]), Number(day[3]))) return null;
    const utcMidnight = Date.parse(`${text}T00:00:00Z`);
    // The offset of Tunis at that midnight (an hour, no summer time since 2009).
    const local = open311DateTime(new Date(utcMidnight).toISOString());
    const sign = local.slice(-6, -5) === '-' ? -1 : 1;
    const offsetMinutes = sign * (Number(local.slice(-5, -3)) * 60 + Number(local.slice(-2)));
    return utcMidnight - offsetMinutes * 60_000;
  }
  return null;
}
