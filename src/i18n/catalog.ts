// All message catalogues, merged. Each module owns a `<module>.messages.ts` with its keys in
// the three languages; keys are `module.screen.element`.
import type { Locale } from '../config.ts';
import { commonMessages } from './common.messages.ts';
import { accountsMessages } from '../modules/accounts/accounts.messages.ts';
import { adminMessages } from '../modules/admin/admin.messages.ts';
import { complaintsMessages } from '../modules/complaints/complaints.messages.ts';
import { complaintPortalMessages } from '../modules/complaints/portal.messages.ts';
import { complaintCellMessages } from '../modules/complaints/cell.messages.ts';
import { complaintPublicMessages } from '../modules/complaints/public.messages.ts';
import { apiKeysMessages } from '../modules/complaints/api-keys.messages.ts';
import { smsIntakeMessages } from '../modules/complaints/sms-intake.messages.ts';
import { open311Messages } from '../modules/open311/open311.messages.ts';
import { budgetMessages } from '../modules/budget/budget.messages.ts';
import { budgetProposalMessages } from '../modules/budget/proposals.messages.ts';
import { votingErrorMessages } from '../modules/budget/voting/voting-errors.messages.ts';
import { votingMessages } from '../modules/budget/voting/voting.messages.ts';
import { paperMessages } from '../modules/budget/paper.messages.ts';
import { resultsMessages } from '../modules/budget/results.messages.ts';

export type Catalog = Record<Locale, Record<string, string>>;
export type ModuleMessages = Catalog;

const modules: ModuleMessages[] = [
  commonMessages,
  accountsMessages,
  adminMessages,
  complaintsMessages,
  complaintPortalMessages,
  complaintCellMessages,
  complaintPublicMessages,
  apiKeysMessages,
  smsIntakeMessages,
  open311Messages,
  budgetMessages,
  budgetProposalMessages,
  votingErrorMessages,
  votingMessages,
  paperMessages,
  resultsMessages,
];

function merge(locale: Locale): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const module of modules) {
    for (const [key, value] of Object.entries(module[locale])) {
      if (key in merged) throw new Error(`Duplicate message key ${key} (${locale})`);
      merged[key] = value;
    }
  }
  return merged;
}

export const catalog: Catalog = { ar: merge('ar'), fr: merge('fr'), en: merge('en') };
