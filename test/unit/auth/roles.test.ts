import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCESS, type Access, allows, type Role } from '../../../lib/auth/roles.js';
import { ROLES } from '../../../lib/schemas/vocabulary.js';

/** The policy of issue #8, written out by hand: ACCESS must say exactly this. */
const INTENDED: Record<Access, Role[]> = {
  read: ['admin', 'operator', 'viewer'],
  write: ['admin', 'operator'],
  secrets: ['admin'],
  invoke: ['admin', 'operator', 'invoke'],
  self: ['admin', 'operator', 'viewer', 'invoke'],
  public: [],
};

/** Parses the roles table of docs/access-control.md into class → roles marked "yes". */
function documentedAccess(): Record<string, Role[]> {
  const doc = readFileSync(new URL('../../../docs/access-control.md', import.meta.url), 'utf8');
  const table = doc
    .split('<!-- roles-table: checked against ACCESS -->')[1]
    ?.split('<!-- /roles-table -->')[0];
  if (!table) throw new Error('roles table markers not found in docs/access-control.md');
  const rows = table.split('\n').filter((line) => line.startsWith('| `'));
  const header = table.split('\n').find((line) => line.startsWith('| Access class'))!;
  const columns = header.split('|').map((c) => c.trim());
  const out: Record<string, Role[]> = {};
  for (const row of rows) {
    const cells = row.split('|').map((c) => c.trim());
    const name = cells[1]!.replaceAll('`', '');
    out[name] = ROLES.filter((role) => cells[columns.indexOf(role)] === 'yes');
  }
  return out;
}

describe('roles: who may call which class of route', () => {
  it('is exactly the policy of the issue', () => {
    expect(ACCESS).toEqual(INTENDED);
  });

  it('is what docs/access-control.md documents', () => {
    expect(documentedAccess()).toEqual(INTENDED);
  });

  it('admits a role to a class only when ACCESS lists it', () => {
    for (const access of Object.keys(INTENDED) as Access[]) {
      for (const role of ROLES)
        expect(allows(access, role), `${access}/${role}`).toBe(INTENDED[access].includes(role));
    }
  });
});
