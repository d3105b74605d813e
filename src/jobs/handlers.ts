// Every job kind and its handler, registered explicitly.
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import { SEND_MESSAGE_JOB } from '../modules/messaging/messaging.service.ts';
import { sendMessageHandler } from '../modules/messaging/messaging.jobs.ts';
import { transportsFromConfig, type Transports } from '../modules/messaging/transports.ts';
import type { JobHandlers } from './worker.ts';
import { purgeExpiredHandler } from './purge.ts';
import {
  COMPLAINT_AUTO_CLOSE_JOB,
  COMPLAINT_DEADLINES_JOB,
  COMPLAINT_PHOTO_ORPHANS_JOB,
  complaintAutoCloseHandler,
  complaintDeadlinesHandler,
  complaintPhotoOrphansHandler,
} from '../modules/complaints/deadlines.jobs.ts';

export function buildJobHandlers(options: { db: Db; config: Config; transports?: Transports }): JobHandlers {
  const transports = options.transports ?? transportsFromConfig(options.config);
  return {
    [SEND_MESSAGE_JOB]: sendMessageHandler(options.db, transports),
    'purge-expired': purgeExpiredHandler(options.db),
    [COMPLAINT_DEADLINES_JOB]: complaintDeadlinesHandler(options.db, { publicUrl: options.config.publicUrl }),
    [COMPLAINT_AUTO_CLOSE_JOB]: complaintAutoCloseHandler(options.db, { publicUrl: options.config.publicUrl }),
    [COMPLAINT_PHOTO_ORPHANS_JOB]: complaintPhotoOrphansHandler(options.db, { dataDir: options.config.dataDir }),
  };
}
