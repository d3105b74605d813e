// Test fixtures of proposals and reviews: a municipality with its people (citizens, agents of
// two departments, a budget officer, a moderator) and a cycle in the phase a test needs.
import type { Db } from '../../db/database.ts';
import type { MunicipalityRow, UserRow } from '../../db/schema.ts';
import type { Actor, StaffRole } from '../../auth/policies.ts';
import { createTestMunicipality, createTestUser } from '../../../test/support/fixtures.ts';
import type { Phase } from './budget.ts';
import { createTestCycle, type TestCycle } from './budget.test-support.ts';
import type { ProposalInput } from './proposals.service.ts';

export type ProposalsFixture = {
  municipality: MunicipalityRow;
  neighbourhoodId: number;
  arrondissementId: number;
  departments: { technical: number; cleanliness: number };
  users: Record<'citizen' | 'citizen2' | 'agent' | 'otherAgent' | 'officer' | 'moderator', UserRow>;
  actors: Record<'citizen' | 'citizen2' | 'agent' | 'otherAgent' | 'officer' | 'moderator', NonNullable<Actor>>;
};

let counter = 0;

function actorOf(user: UserRow, roles: { role: StaffRole; departmentId: number | null }[]): NonNullable<Actor> {
  return { userId: user.id, municipalityId: user.municipality_id, roles };
}

export async function createProposalsFixture(db: Db, slug = `pb${++counter}x`): Promise<ProposalsFixture> {
  const municipality = await createTestMunicipality(db, slug);
  const neighbourhood = await db.selectFrom('neighbourhoods').select(['id', 'arrondissement_id']).where('municipality_id', '=', municipality.id).executeTakeFirstOrThrow();
  const departments = await db.selectFrom('departments').select(['id', 'code']).where('municipality_id', '=', municipality.id).execute();
  const technical = departments.find((d) => d.code === 'technical')!.id;
  const cleanliness = departments.find((d) => d.code === 'cleanliness')!.id;
  const specs = {
    citizen: [],
    citizen2: [],
    agent: [{ role: 'staff_agent', departmentId: technical }],
    otherAgent: [{ role: 'staff_agent', departmentId: cleanliness }],
    officer: [{ role: 'budget_officer', departmentId: null }],
    moderator: [{ role: 'moderator', departmentId: null }],
  } as const;
  const users = {} as ProposalsFixture['users'];
  const actors = {} as ProposalsFixture['actors'];
  for (const [name, roles] of Object.entries(specs) as [keyof typeof specs, readonly { role: StaffRole; departmentId: number | null }[]][]) {
    const user = await createTestUser(db, { municipalityId: municipality.id, email: `${name}@${slug}.test`, displayName: name, roles: [...roles] });
    users[name] = user;
    actors[name] = actorOf(user, [...roles]);
  }
  return {
    municipality,
    neighbourhoodId: neighbourhood.id,
    arrondissementId: neighbourhood.arrondissement_id!,
    departments: { technical, cleanliness },
    users,
    actors,
  };
}

/** A cycle with a city-wide envelope and one for the fixture's arrondissement, no projects. */
export async function createProposalCycle(db: Db, fixture: ProposalsFixture, phase: Phase, options: { withSupport?: boolean; now?: string } = {}): Promise<TestCycle> {
  return createTestCycle(db, fixture.municipality.id, {
    phase,
    withSupport: options.withSupport,
    now: options.now,
    envelopes: [
      { scope: 'city', budgetMillimes: 1_000_000, name: 'city' },
      { scope: 'arrondissement', arrondissementId: fixture.arrondissementId, budgetMillimes: 500_000, name: 'district' },
    ],
  });
}

export function proposalInput(overrides: Partial<ProposalInput> = {}): ProposalInput {
  return {
    title: 'Éclairage de la rue des écoles',
    description: 'La rue est sombre le soir, les enfants rentrent de l’école dans le noir.',
    category: 'lighting',
    authorKind: 'citizen',
    associationName: '',
    area: 'city',
    lat: '',
    lng: '',
    locationText: '',
    estimatedCost: '',
    ...overrides,
  };
}
