// The back office's sections and who sees each: the sub-navigation lists only what the actor
// may open, so nobody is shown a link that ends in "not allowed".
import { type Action, type Actor, can } from '../../auth/policies.ts';

export type AdminSectionKey = 'dashboard' | 'complaints' | 'catalogue' | 'users' | 'areas' | 'departments' | 'settings' | 'outbox' | 'audit' | 'api_keys' | 'budget';
export type AdminNavLink = { key: AdminSectionKey; path: string };

const SECTIONS: (AdminNavLink & { anyOf: Action[] })[] = [
  { key: 'dashboard', path: '/admin', anyOf: ['admin.access'] },
  // Department staff see complaints of their department only: the policy answers for a
  // complaint, so the section is shown to whoever may open some of them or file one at the counter.
  { key: 'complaints', path: '/admin/complaints', anyOf: ['complaints.view', 'complaints.file_on_behalf'] },
  { key: 'catalogue', path: '/admin/catalogue', anyOf: ['categories.manage'] },
  // Department staff come here for the technical review, counter staff to record voters.
  {
    key: 'budget',
    path: '/admin/budget',
    anyOf: ['budget.manage_cycles', 'budget.moderate', 'budget.review', 'budget.verify_voters', 'budget.key_paper', 'budget.follow_up'],
  },
  { key: 'users', path: '/admin/users', anyOf: ['users.view', 'users.manage_roles'] },
  { key: 'areas', path: '/admin/areas', anyOf: ['reference.manage'] },
  { key: 'departments', path: '/admin/departments', anyOf: ['reference.manage'] },
  { key: 'settings', path: '/admin/settings', anyOf: ['settings.manage'] },
  { key: 'outbox', path: '/admin/outbox', anyOf: ['outbox.view'] },
  { key: 'audit', path: '/admin/audit', anyOf: ['audit.view'] },
  { key: 'api_keys', path: '/admin/api-keys', anyOf: ['api_keys.manage'] },
];

export function adminNavFor(actor: Actor, municipalityId: number): AdminNavLink[] {
  return SECTIONS.filter((s) => s.anyOf.some((action) => can(actor, action, { municipalityId }))).map(({ key, path }) => ({ key, path }));
}

/** The section a path belongs to: the longest section path it starts with. */
export function currentSection(nav: AdminNavLink[], path: string): AdminSectionKey | undefined {
  const bare = path.split('?')[0]!.replace(/\/$/, '');
  let best: AdminNavLink | undefined;
  for (const link of nav) {
    if ((bare === link.path || bare.startsWith(`${link.path}/`)) && (!best || link.path.length > best.path.length)) best = link;
  }
  return best?.key;
}
