import type { ModuleMessages } from '../../i18n/catalog.ts';

export const complaintPortalMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
