// The checks of the complaint form, run before anything is stored and before the citizen is
// shown similar complaints nearby: a page of "already reported?" followed by "your phone
// number is wrong" would make them go through the form twice. They use the service's own rules
// (validateAnswers, the municipality's area, the same limits and messages); submitComplaint
// checks everything again when it files the complaint.
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow } from '../../db/schema.ts';
import type { FormValues } from '../../http/forms.ts';
import { AppError, type FieldErrors } from '../../lib/errors.ts';
import { normalizePhone } from '../../lib/phone.ts';
import { findNeighbourhood } from '../municipalities/reference-data.repository.ts';
import { type Category, validateAnswers } from './categories.service.ts';
import { ADDRESS_MAX_LENGTH, CONTACT_NAME_MAX_LENGTH, DESCRIPTION_MAX_LENGTH } from './complaints.ts';
import { isValidPoint, type Point } from './location.ts';
import { answersOf, formFieldErrors, idOf, textOf } from './portal-form.ts';
import { isInsideArea, loadMunicipalityArea } from './submission.service.ts';

export type ComplaintDraft = {
  description: string;
  point: Point | null;
  neighbourhoodId: number | null;
  address: string;
  name: string;
  phone: string;
  email: string;
};

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Coordinates from the map's hidden fields: null when both are empty, undefined when unusable. */
function pointOf(values: FormValues): Point | null | undefined {
  const lat = textOf(values, 'lat');
  const lng = textOf(values, 'lng');
  if (lat === '' && lng === '') return null;
  const number = /^-?\d{1,3}(\.\d{1,12})?$/;
  if (!number.test(lat) || !number.test(lng)) return undefined;
  const point = { lat: Number(lat), lng: Number(lng) };
  return isValidPoint(point) ? point : undefined;
}

export type CheckComplaintDraftOptions = { municipality: MunicipalityRow; category: Category; values: FormValues; countryCode?: string };

/** The draft read from the form, and every problem with it (form field names). */
export async function checkComplaintDraft(db: Db, options: CheckComplaintDraftOptions): Promise<{ draft: ComplaintDraft; errors: FieldErrors }> {
  const { values, municipality, category } = options;
  const errors: FieldErrors = {};
  const description = textOf(values, 'description');
  if (description === '') errors.description = 'validation.required';
  else if (description.length > DESCRIPTION_MAX_LENGTH) errors.description = { key: 'validation.too_long', values: { max: DESCRIPTION_MAX_LENGTH } };

  try {
    validateAnswers(category.questions, answersOf(values));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    Object.assign(errors, formFieldErrors(error.fields));
  }

  const point = pointOf(values);
  const neighbourhoodText = textOf(values, 'neighbourhood');
  const neighbourhoodId = idOf(values, 'neighbourhood');
  const address = textOf(values, 'address');
  if (neighbourhoodText !== '' && (neighbourhoodId === null || !(await findNeighbourhood(db, municipality.id, neighbourhoodId)))) {
    errors.neighbourhood = 'validation.invalid_choice';
  }
  if (address.length > ADDRESS_MAX_LENGTH) errors.address = { key: 'validation.too_long', values: { max: ADDRESS_MAX_LENGTH } };
  if (point === undefined) errors.location = 'complaints.location.invalid';
  else if (point === null && neighbourhoodText === '' && address === '') errors.location = 'complaints.location.required';
  else if (point && !isInsideArea(await loadMunicipalityArea(db, municipality), point)) errors.location = 'complaints.location.outside';

  const name = textOf(values, 'name');
  const phone = textOf(values, 'phone');
  const email = textOf(values, 'email');
  if (name.length > CONTACT_NAME_MAX_LENGTH) errors.name = { key: 'validation.too_long', values: { max: CONTACT_NAME_MAX_LENGTH } };
  if (phone !== '' && !normalizePhone(phone, options.countryCode)) errors.phone = 'validation.invalid_phone';
  if (email !== '' && (email.length > 254 || !EMAIL_PATTERN.test(email))) errors.email = 'validation.invalid_email';

  return {
    draft: { description, point: point ?? null, neighbourhoodId: errors.neighbourhood ? null : neighbourhoodId, address, name, phone, email },
    errors,
  };
}
