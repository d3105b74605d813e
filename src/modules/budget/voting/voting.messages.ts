import type { ModuleMessages } from '../../../i18n/catalog.ts';

export const votingMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
