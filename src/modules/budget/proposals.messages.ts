import type { ModuleMessages } from '../../i18n/catalog.ts';

export const budgetProposalMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
