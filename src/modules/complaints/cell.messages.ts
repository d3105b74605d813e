import type { ModuleMessages } from '../../i18n/catalog.ts';

export const complaintCellMessages: ModuleMessages = { ar: {}, fr: {}, en: {} };
