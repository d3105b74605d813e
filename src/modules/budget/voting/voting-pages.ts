// What the voting pages (online and counter) share between the HTTP layer and the views: reading
// a posted ballot form into choices, explaining a ballot's problems with the projects' and
// envelopes' names and amounts in dinars, and the view-models of the ballot and of a receipt.
// The rules themselves are budget.ts's validateBallot; the voting services check them again.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyRequest } from 'fastify';
import { formatTnd } from '../money.ts';
import type { Locale } from '../../../config.ts';
import type { Db } from '../../../db/database.ts';
import type { FormValues } from '../../../http/forms.ts';
import { localName, translator } from '../../../i18n/i18n.ts';
import { listArrondissements, listNeighbourhoods } from '../../municipalities/municipalities.repository.ts';
import { sha256Hex } from '../../../lib/crypto.ts';
import type { FieldErrors } from '../../../lib/errors.ts';
import { formatReceiptCode } from '../ballot-box.repository.ts';
import { type BallotChoice, VOTER_AGE_GROUPS, VOTER_GENDERS, validateBallot } from '../budget.ts';
import type { PbCycleRow } from '../budget.table.ts';
import { listEnvelopes, listProjects } from '../cycles.repository.ts';
import { normaliseIdNumber } from './voters.ts';
import type { BallotForm, ReceiptView as StoredReceipt } from './voting.service.ts';
import { type BallotModel, type CyclePageInfo, type Option, type ReceiptView } from './voting.views.tsx';

const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../public');
export const BALLOT_SCRIPT = 'budget-ballot.js';

/** The ballot meter's script (client/budget-ballot.ts, built into public/), with its content hash. */
export function ballotScriptHref(): string {
  const file = path.join(PUBLIC_DIR, BALLOT_SCRIPT);
  const hash = fs.existsSync(file) ? sha256Hex(fs.readFileSync(file).toString('latin1')).slice(0, 12) : '0';
  return `/static/${BALLOT_SCRIPT}?v=${hash}`;
}

export function cycleInfo(cycle: PbCycleRow, locale: Locale): CyclePageInfo {
  return { slug: cycle.slug, year: cycle.year, title: cycle[`title_${locale}`] || cycle.title_fr || cycle.title_ar };
}

export function ballotModelOf(form: BallotForm, locale: Locale): BallotModel {
  return {
    type: form.rules.ballot_type,
    minChoices: form.rules.min_choices,
    maxChoices: form.rules.max_choices,
    totalPoints: form.rules.total_points,
    maxPointsPerProject: form.rules.max_points_per_project,
    envelopes: form.envelopes.map((e) => ({
      id: e.id,
      name: localName(e, locale),
      budgetMillimes: e.budget_millimes,
      projects: e.projects.map((p) => ({ id: p.id, code: p.code, title: p.title, description: p.description, costMillimes: p.cost_millimes })),
    })),
  };
}

export type BallotInput = {
  idNumber: string;
  ageGroup: string;
  gender: string | null;
  declaredEligible: boolean;
  choices: BallotChoice[];
  /** Problems with the voter's fields, as message keys per field. */
  errors: FieldErrors;
};

function one(values: FormValues, name: string): string {
  const v = values[name];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

/** A whole number as typed in a box; anything else is NaN (validateBallot calls it bad points). */
function wholeNumber(text: string): number {
  return /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
}

/**
 * The ballot form as posted: ticked projects (`choice`), points (`points.<id>`) or ranks
 * (`rank.<id>`); an empty box or 0 points is no choice. Ids are kept as posted: a forged or
 * foreign id is for validateBallot to reject, not for this to drop silently.
 */
export function ballotInput(values: FormValues, options: { voter?: boolean } = {}): BallotInput {
  const errors: FieldErrors = {};
  const idNumber = one(values, 'idNumber');
  if (options.voter !== false) {
    if (!normaliseIdNumber(idNumber)) errors.idNumber = idNumber === '' ? 'validation.required' : 'budget.vote.problem.id_number';
  }
  const ageGroup = one(values, 'ageGroup');
  if (!(VOTER_AGE_GROUPS as readonly string[]).includes(ageGroup)) errors.ageGroup = 'budget.vote.problem.age_group';
  const genderText = one(values, 'gender');
  const gender = (VOTER_GENDERS as readonly string[]).includes(genderText) ? genderText : null;
  const choices: BallotChoice[] = [];
  const ticked = values.choice;
  for (const id of Array.isArray(ticked) ? ticked : ticked ? [ticked] : []) {
    if (/^\d{1,12}$/.test(id)) choices.push({ projectId: Number(id), value: 1 });
  }
  for (const [key, raw] of Object.entries(values)) {
    const match = /^(points|rank)\.(\d{1,12})$/.exec(key);
    const text = (Array.isArray(raw) ? (raw[0] ?? '') : raw).trim();
    if (!match || text === '' || text === '0') continue;
    choices.push({ projectId: Number(match[2]), value: wholeNumber(text) });
  }
  return { idNumber, ageGroup, gender, declaredEligible: one(values, 'declaredEligible') === 'yes', choices, errors };
}

/**
 * The ballot's problems as the page explains them: "Envelope X: the total of 950 000 DT exceeds
 * the envelope of 800 000 DT", "Project Y is not on your neighbourhood's ballot". Fields are the
 * voting service's (`envelope_<id>`, `project_<id>`, `choices`), so either's errors land in place.
 */
export async function ballotProblemsOf(db: Db, request: FastifyRequest, form: BallotForm, choices: BallotChoice[]): Promise<FieldErrors> {
  const tr = translator(request.locale);
  const money = (m: number) => formatTnd(tr, m);
  const projects = form.envelopes.flatMap((e) => e.projects.map((p) => ({ id: p.id, envelopeId: e.id, costMillimes: p.cost_millimes })));
  const envelopes = form.envelopes.map((e) => ({
    id: e.id,
    scope: e.scope,
    arrondissementId: e.arrondissement_id,
    neighbourhoodId: e.neighbourhood_id,
    budgetMillimes: e.budget_millimes,
  }));
  const problems = validateBallot(form.rules, projects, envelopes, choices);
  if (problems.length === 0) return {};
  const all = await listProjects(db, request.municipality.id, form.cycle.id);
  const projectName = (id: number) => {
    const p = all.find((x) => x.id === id);
    return p ? `${p.title} (${p.code})` : `#${id}`;
  };
  const envelopeName = (id: number) => {
    const e = form.envelopes.find((x) => x.id === id);
    return e ? localName(e, request.locale) : `#${id}`;
  };
  const fields: FieldErrors = {};
  const put = (field: string, key: string, values: Record<string, string | number> = {}) => {
    if (!(field in fields)) fields[field] = { key: `budget.vote.problem.${key}`, values };
  };
  for (const p of problems) {
    switch (p.code) {
      case 'empty':
        put('choices', 'empty');
        break;
      case 'unknown_project':
        put('choices', 'unknown_project', { project: projectName(p.projectId) });
        break;
      case 'duplicate_project':
        put(`project_${p.projectId}`, 'duplicate_project', { project: projectName(p.projectId) });
        break;
      case 'bad_points':
        put(`project_${p.projectId}`, 'bad_points', { project: projectName(p.projectId) });
        break;
      case 'too_few_choices':
        put(`envelope_${p.envelopeId}`, 'too_few_choices', { envelope: envelopeName(p.envelopeId), min: p.min });
        break;
      case 'too_many_choices':
        put(`envelope_${p.envelopeId}`, 'too_many_choices', { envelope: envelopeName(p.envelopeId), max: p.max });
        break;
      case 'over_budget':
        put(`envelope_${p.envelopeId}`, 'over_budget', { envelope: envelopeName(p.envelopeId), total: money(p.totalMillimes), budget: money(p.budgetMillimes) });
        break;
      case 'too_many_points':
        put(`envelope_${p.envelopeId}`, 'too_many_points', { envelope: envelopeName(p.envelopeId), total: p.total, max: p.max });
        break;
      case 'bad_ranks':
        put(`envelope_${p.envelopeId}`, 'bad_ranks', { envelope: envelopeName(p.envelopeId) });
        break;
    }
  }
  return fields;
}

/** A stored ballot as a receipt shows it: envelopes by name, in ballot order. */
export async function receiptViewOf(db: Db, request: FastifyRequest, cycle: PbCycleRow, found: StoredReceipt): Promise<ReceiptView> {
  const envelopes = await listEnvelopes(db, request.municipality.id, cycle.id);
  const order = new Map(envelopes.map((e, i) => [e.id, i]));
  const choices = [...found.choices].sort(
    (a, b) => (order.get(a.envelopeId) ?? 0) - (order.get(b.envelopeId) ?? 0) || (cycle.ballot_type === 'ranking' ? a.value - b.value : a.code.localeCompare(b.code)),
  );
  return {
    code: formatReceiptCode(found.receipt),
    channel: found.channel,
    type: cycle.ballot_type,
    choices: choices.map((c) => {
      const envelope = envelopes.find((e) => e.id === c.envelopeId);
      return { code: c.code, title: c.title, envelope: envelope ? localName(envelope, request.locale) : '', value: c.value };
    }),
  };
}

export type NeighbourhoodGroups = { groups: { label: string; options: Option[] }[]; all: { id: number; arrondissement_id: number | null; name_ar: string; name_fr: string; name_en: string }[] };

/** The municipality's neighbourhoods grouped by arrondissement, for the residence selects. */
export async function neighbourhoodGroups(db: Db, request: FastifyRequest): Promise<NeighbourhoodGroups> {
  const locale = request.locale;
  const arrondissements = await listArrondissements(db, request.municipality.id);
  const all = await listNeighbourhoods(db, request.municipality.id);
  const option = (n: (typeof all)[number]) => ({ value: String(n.id), label: localName(n, locale) });
  const groups = arrondissements.map((a) => ({ label: localName(a, locale), options: all.filter((n) => n.arrondissement_id === a.id).map(option) }));
  const loose = all.filter((n) => !arrondissements.some((a) => a.id === n.arrondissement_id));
  if (loose.length > 0) groups.push({ label: localName(request.municipality, locale), options: loose.map(option) });
  return { groups: groups.filter((g) => g.options.length > 0), all };
}

/** The neighbourhood of a query string or form, if it is one of this municipality's. */
export function neighbourhoodIdOf(raw: unknown, all: { id: number }[]): number | null {
  const text = typeof raw === 'string' ? raw : '';
  if (!/^[1-9]\d{0,11}$/.test(text)) return null;
  const id = Number(text);
  return all.some((n) => n.id === id) ? id : null;
}
