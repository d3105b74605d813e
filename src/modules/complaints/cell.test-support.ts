// Short set-up steps for the complaints cell's tests: moving a complaint along as the officer,
// and "me too" from a few people. Test code only (imported by *.test.ts files).
import type { Db } from '../../db/database.ts';
import type { ComplaintRow } from './complaints.table.ts';
import { type ComplaintsFixture, nextPhone } from './complaints.test-support.ts';
import { followComplaint } from './following.service.ts';
import * as workflow from './workflow.service.ts';

const scope = (fixture: ComplaintsFixture, complaint: ComplaintRow) => ({
  actor: fixture.officer.actor,
  municipalityId: fixture.municipality.id,
  complaintId: complaint.id,
  version: complaint.version,
});

export function acknowledgeComplaint(db: Db, fixture: ComplaintsFixture, complaint: ComplaintRow): Promise<ComplaintRow> {
  return workflow.acknowledgeComplaint(db, scope(fixture, complaint));
}

export function assignComplaint(db: Db, fixture: ComplaintsFixture, complaint: ComplaintRow, departmentId: number, assigneeUserId: number | null): Promise<ComplaintRow> {
  return workflow.assignComplaint(db, { ...scope(fixture, complaint), departmentId, assigneeUserId });
}

/** `count` people say "me too" with their phone numbers. */
export async function followComplaintForTest(db: Db, fixture: ComplaintsFixture, complaint: ComplaintRow, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await followComplaint(db, { municipalityId: fixture.municipality.id, complaint: { id: complaint.id }, contact: nextPhone(), locale: 'ar' });
  }
}
