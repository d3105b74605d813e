import type { ModuleMessages } from '../../../i18n/catalog.ts';

export const votingErrorMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
