import type { ModuleMessages } from '../../i18n/catalog.ts';

export const resultsMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
