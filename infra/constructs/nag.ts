import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag 3 acknowledgments go through CDK's own `Validations.of(scope).acknowledge`: they apply to the
 * scope and everything below it, one finding id at a time (no prefix matching). Keep the scope as
 * narrow as the finding and the reason specific to it.
 */
export function acknowledgeNag(scope: IConstruct, rule: string, reason: string): void {
  if (reason.trim().length < 20) throw new Error(`cdk-nag acknowledgment ${rule} needs a specific reason`);
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${rule}`, reason });
}

/**
 * The IAM5 finding id of a wildcard resource, exactly as cdk-nag writes it (`IAM5[Resource::...]`, with
 * intrinsics flattened to `<AWS::Region>` etc.). The ARN must not contain cross-stack references: those
 * only resolve to their final form during synthesis.
 */
export function wildcardResourceFinding(scope: IConstruct, arn: string): string {
  return `IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(arn))}]`;
}
