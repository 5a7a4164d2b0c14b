// The API tokens tests give an app (one per role), and the header that presents one.
import type { Role } from '../../api/auth';

export const TOKENS: Record<Role, string> = { erp: 'erp-token-0123456789', operator: 'operator-token-0123456789', admin: 'admin-token-0123456789' };

/** TOKENS as API_TOKENS spells them (`role:token,…`), for parseApiTokens. */
export const TOKEN_SPEC = Object.entries(TOKENS)
  .map(([role, token]) => `${role}:${token}`)
  .join(',');

export const auth = (role: Role) => ({ Authorization: `Bearer ${TOKENS[role]}` });
