/**
 * `config:export`: the gateway's configuration in the file's format. Applying the export to the
 * same gateway plans no change; values a create fills in anyway are left out, so the export reads
 * like a hand-written file.
 */
import type { Gateway } from '../../runtime/gateway.js';
import { currentCredentialValue } from '../credentials/environment.js';
import { readCurrentState, SECRET_REF_SOURCE } from './current.js';
import { exportTargets, type Form, withoutDefaults } from './forms.js';

export interface ConfigExport {
  document: Form;
  /** Objects left out (they refer to something that no longer exists), in words. */
  skipped: string[];
}

/** Reads the whole configuration and writes it in the file's form (sections in apply order). */
export async function exportConfig(deps: Gateway): Promise<ConfigExport> {
  const state = await readCurrentState(deps);
  const timeout = deps.config.PROVIDER_REQUEST_TIMEOUT;
  const providers = await Promise.all(
    state.providers.map(async (p) => {
      const { is_active: _derived, ...form } = withoutDefaults('provider', p.form, timeout);
      const models = p.models.map((m) => withoutDefaults('model', m.form, timeout));
      let credential: Form = {};
      if (p.credential && 'credential_from_env' in p.credential) credential = p.credential;
      if (p.credential && 'secret_ref' in p.credential) {
        const arn = await currentCredentialValue(deps, p.id, SECRET_REF_SOURCE);
        if (arn) credential = { secret_ref: arn };
      }
      return { ...form, ...credential, ...(models.length > 0 ? { models } : {}) };
    }),
  );
  return {
    document: {
      providers,
      teams: state.teams.map((t) => withoutDefaults('team', t.form, timeout)),
      api_keys: state.apiKeys.map((k) => withoutDefaults('api_key', k.form, timeout)),
      routing_rules: state.rules.map((r) => exportTargets(withoutDefaults('routing_rule', r.form, timeout))),
      quotas: state.quotas.map((q) => withoutDefaults('quota', q.form, timeout)),
    },
    skipped: state.skipped,
  };
}
