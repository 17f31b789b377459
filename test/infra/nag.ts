import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/** One cdk-nag finding: rule id (with its `[finding]` suffix) and the resource's construct path. */
export interface Finding {
  rule: string;
  path: string;
  severity: string;
}

/** One `Validations.of(scope).acknowledge(...)` in the app. */
export interface Acknowledgement {
  rule: string;
  path: string;
  reason: string;
}

function findingsOf(pack: AwsSolutionsChecks, app: App): Finding[] {
  return pack.validateScope(app).violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      path: r.constructPath ?? '',
      severity: v.severity ?? '',
    })),
  );
}

/**
 * The AwsSolutions findings cdk-nag reports for the app, acknowledgements applied: what would fail
 * `cdk synth`. (cdk-nag 3 is a validation plugin: it reports through the validation report, not
 * through construct annotations, so `Annotations.findError` never sees its findings.)
 */
export function unacknowledgedFindings(app: App): Finding[] {
  return findingsOf(new AwsSolutionsChecks(app), app);
}

/** Every AwsSolutions finding, acknowledged or not. */
export function allFindings(app: App): Finding[] {
  const pack = new AwsSolutionsChecks(app);
  // `isAcknowledged` is cdk-nag's private hook; replacing it is the only way to see acknowledged rules.
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return findingsOf(pack, app);
}

/** Every acknowledgement recorded in the construct tree, with where it was made. */
export function acknowledgements(app: App): Acknowledgement[] {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          rule: id.replace(/^annotation::/i, ''),
          path: construct.node.path,
          reason,
        })),
      ),
  );
}
