import type { ModuleMessages } from '../../i18n/catalog.ts';

export const paperMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
