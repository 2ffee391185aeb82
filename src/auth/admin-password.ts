// Where the setup page's admin password is kept: its hash, a setting of its own that only homepost
// writes (src/admin/auth.ts checks it; `homepost admin reset-password` removes it).
import { text } from '../settings/define.ts';

// The admin password's hash (src/api/registry.ts lists every setting).
export const ADMIN_PASSWORD = text({
  key: 'admin.passwordHash',
  default: null,
  rule: 'a password hash',
  test: (s) => s.length > 0,
  internal: true,
  secret: true,
  description: "the setup page's admin password, hashed (homepost admin reset-password removes it)",
});
