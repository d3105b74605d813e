import type { ModuleMessages } from '../../i18n/catalog.ts';

export const accountsMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
