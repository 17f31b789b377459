/** The sample configuration file of the config tests (local runtime, AWS terms, CLI process). */

/** The provider key the file names by variable: a test value, not shaped like a real key. */
export const CONFIG_ENV = { CONFIG_TEST_OPENAI_KEY: 'config-test-provider-value-0001' };

/** A provider with two models, a team, a key of the team, a routing rule and a team quota. */
export function sampleFile(origin: string, overrides: { limit?: number; priority?: number } = {}) {
  return `# reviewed in git
providers:
  - name: openai-main
    provider_type: openai
    service_types: [llm]
    base_url: ${origin}/v1
    credential_from_env: CONFIG_TEST_OPENAI_KEY
    models:
      - model_id: gpt-4o
        model_type: llm
        pricing: { input_per_1m: 2.5, output_per_1m: 10 }
      - model_id: gpt-4o-mini
        model_type: llm
        pricing: { input_per_1m: 0.15, output_per_1m: 0.6 }
teams:
  - name: platform
    providers: [openai-main]
api_keys:
  - name: platform-ci
    role: invoke
    team: platform
routing_rules:
  - rule_name: chat-default
    rule_type: primary_fallback
    service_type: llm
    model_pattern: "gpt-4o*"
    providers: [openai-main]
    priority: ${overrides.priority ?? 10}
quotas:
  - scope: team
    team: platform
    quota_type: daily_cost
    limit_value: ${overrides.limit ?? 25}
`;
}

export const SAMPLE_PLAN = [
  '+ create provider "openai-main"',
  '+ create model "openai-main/gpt-4o"',
  '+ create model "openai-main/gpt-4o-mini"',
  '+ create credential of "openai-main" from CONFIG_TEST_OPENAI_KEY',
  '+ create team "platform"',
  '+ create API key "platform-ci"',
  '+ create routing rule "chat-default"',
  '+ create quota team "platform" daily_cost',
];

/** The plan's change lines, without indentation. */
export const changeLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[+~-] /.test(l));
