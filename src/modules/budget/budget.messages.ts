import type { ModuleMessages } from '../../i18n/catalog.ts';

export const budgetMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
