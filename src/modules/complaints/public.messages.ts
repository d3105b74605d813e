import type { ModuleMessages } from '../../i18n/catalog.ts';

export const complaintPublicMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
