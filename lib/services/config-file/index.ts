/**
 * Configuration as code: a declarative file of providers (with models and where their key comes
 * from), teams, API keys, routing rules and quotas, planned and applied through the services and
 * exported back in the same form. `docs/configuration-as-code.md` describes the format.
 */
export { type ApplyReport, applyConfig, type CreatedKey } from './apply.js';
export { type ConfigExport, exportConfig } from './export.js';
export { type Change, type Plan, type PlanOptions, planConfig } from './plan.js';
export { ConfigFileError, findSecrets, parseConfig, readConfigText } from './read.js';
export { renderPlan } from './render.js';
export { type ConfigFile, configFileSchema, configJsonSchema } from './schema.js';
