import type { ModuleMessages } from '../../i18n/catalog.ts';

export const adminMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
