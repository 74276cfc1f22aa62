import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import {
  chinaAvailability,
  chinaRegions,
  chinaResourceTypes,
  renderChinaAvailability,
} from '../../infra/definitions/regions';
import { tableEnvName } from '../../infra/definitions/tables';
import {
  asArray,
  type CfnJson,
  logicalIdOf,
  resourcesOfType,
  roleStatements,
  type SynthesizedApp,
  synthesizeApp,
} from './support';

/**
 * The same app in the standard partition and in both China regions (issue 20): partition-neutral ARNs,
 * only resource types the China regions offer (chinaAvailability), an external OpenID Connect provider
 * instead of Cognito, every stack in the stage's region, and cdk-nag clean in all three.
 */
const origins = { allowedOrigins: 'https://portal.example.gov.cn' };
const provincialIssuer = 'https://ids.hlj.gov.cn/oidc/onewindow';
const provincialAudience = 'onewindow-portal';
const provincialJwks = 'https://ids.hlj.gov.cn/oidc/onewindow/keys';

const standardRegion = 'ap-east-1';
const standard = synthesizeApp({ stage: 'prod', context: { ...origins, region: standardRegion } });

/** cn-north-1 from the flat command-line form, cn-northwest-1 from a per-stage `identity` entry (with a JWKS URL). */
const china: Record<(typeof chinaRegions)[number], SynthesizedApp> = {
  'cn-north-1': synthesizeApp({
    stage: 'prod',
    context: {
      ...origins,
      region: 'cn-north-1',
      oidcIssuer: provincialIssuer,
      oidcAudience: provincialAudience,
    },
  }),
  'cn-northwest-1': synthesizeApp({
    stage: 'prod',
    context: {
      ...origins,
      region: { prod: 'cn-northwest-1' },
      identity: {
        prod: { issuer: provincialIssuer, audience: provincialAudience, jwksUrl: provincialJwks },
        qa: { issuer: 'https://other.example.gov.cn', audience: 'qa' },
      },
    },
  }),
};

const templatesOf = (built: SynthesizedApp): [string, Template][] => Object.entries(built.templates);
const stacksOf = (built: SynthesizedApp) => [built.stateful, built.workflow, built.api, built.monitoring];

/** Every string in a template with the JSON path it sits at. */
function stringsOf(value: unknown, at: string[] = []): { path: string[]; value: string }[] {
  if (typeof value === 'string') return [{ path: at, value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsOf(item, [...at, String(index)]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => stringsOf(item, [...at, key]));
  }
  return [];
}

/**
 * The service principals the stacks name. IAM takes `<service>.amazonaws.com` for these in every partition
 * (China included: it refuses `lambda.amazonaws.com.cn`), and CDK's ServicePrincipal writes them so; CloudWatch
 * Logs is the one regional principal and is built from AWS::Region and AWS::URLSuffix instead.
 */
const reviewedServicePrincipals = [
  'apigateway.amazonaws.com',
  'cloudwatch.amazonaws.com',
  'lambda.amazonaws.com',
  'logging.s3.amazonaws.com',
  'pipes.amazonaws.com',
  'scheduler.amazonaws.com',
  'states.amazonaws.com',
];

/** Where a service principal may stand: a policy's `Principal.Service`, or a Lambda permission's `Principal`. */
function isPrincipalPosition(template: CfnJson, at: string[]): boolean {
  const serviceAt = at.lastIndexOf('Service');
  if (serviceAt > 0 && at[serviceAt - 1] === 'Principal') return true;
  const [resources, logicalId, properties, key] = at;
  return (
    resources === 'Resources' &&
    properties === 'Properties' &&
    key === 'Principal' &&
    at.length === 4 &&
    template.Resources[logicalId as string]?.Type === 'AWS::Lambda::Permission'
  );
}

const regionLiteral = /\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-(?:gov-)?[a-z]+-\d\b/g;

describe.each(chinaRegions)('the %s stage', (region) => {
  const built = china[region];
  const templates = templatesOf(built);

  it('deploys every stack, and so every table, bucket, log group, key and event bus, to that region', () => {
    expect(built.target).toMatchObject({ region, partition: 'aws-cn', china: true });
    for (const stack of stacksOf(built)) {
      expect(stack.region, stack.stackName).toBe(region);
      expect(stack.environment, stack.stackName).toMatch(new RegExp(`/${region}$`));
    }
    for (const [name, template] of templates) {
      // Regions are pseudo parameters (AWS::Region) or this one: nothing names another region.
      const named = JSON.stringify(template.toJSON()).match(regionLiteral) ?? [];
      expect(
        named.filter((r) => r !== region),
        name,
      ).toEqual([]);
    }
  });

  it('writes no arn:aws: ARN: every ARN takes AWS::Partition', () => {
    for (const [name, template] of templates) {
      expect(JSON.stringify(template.toJSON()), name).not.toContain('arn:aws:');
      expect(JSON.stringify(template.toJSON()), name).not.toContain('arn:aws-cn:');
    }
  });

  it('writes amazonaws.com only in reviewed service principals, never in an endpoint or a URL', () => {
    for (const [name, template] of templates) {
      const json = template.toJSON();
      const hits = stringsOf(json).filter((s) => s.value.includes('amazonaws.com'));
      for (const hit of hits) {
        expect(isPrincipalPosition(json, hit.path), `${name} ${hit.path.join('.')}: ${hit.value}`).toBe(true);
        expect(reviewedServicePrincipals, `${name} ${hit.path.join('.')}`).toContain(hit.value);
      }
    }
  });

  it("lets CloudWatch Logs use the key through its regional principal, built from the partition's URL suffix", () => {
    const key = Object.values(resourcesOfType(built.templates.stateful, 'AWS::KMS::Key'))[0];
    const statement = key.Properties.KeyPolicy.Statement.find(
      (s: CfnJson) => s.Sid === 'CloudWatchLogsEncryption',
    );
    expect(JSON.stringify(statement.Principal.Service)).toContain('{"Ref":"AWS::URLSuffix"}');
    expect(JSON.stringify(statement.Principal.Service)).toContain('{"Ref":"AWS::Region"}');
  });

  it('contains only resource types the China regions offer (from the availability table), and no Cognito', () => {
    for (const [name, template] of templates) {
      const types = Object.values(template.toJSON().Resources as Record<string, CfnJson>).map((r) => r.Type);
      for (const type of types) expect(chinaResourceTypes, `${name}: ${type}`).toContain(type);
      expect(
        types.filter((type) => type.startsWith('AWS::Cognito::')),
        name,
      ).toEqual([]);
    }
    expect(built.api.userPool).toBeUndefined();
    expect(built.api.userPoolClient).toBeUndefined();
  });

  it("puts the provincial provider's issuer and audience on the HTTP API's JWT authorizer", () => {
    const authorizers = Object.values(resourcesOfType(built.templates.api, 'AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0].Properties).toMatchObject({
      AuthorizerType: 'JWT',
      Name: 'oidc',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: provincialIssuer, Audience: [provincialAudience] },
    });
    expect(built.api.templateOptions.description ?? '').not.toContain('Cognito');
  });

  it('gives the token-verifying functions the same issuer and audience, and roles from the staff records', () => {
    const verifying = Object.values(built.api.functions).filter((fn) => fn.definition.verifiesTokens);
    expect(verifying.length).toBeGreaterThan(0);
    const resources = built.templates.api.toJSON().Resources as Record<string, CfnJson>;
    for (const fn of verifying) {
      const env = resources[logicalIdOf(fn.function)].Properties.Environment.Variables;
      expect(env.JWT_ISSUER, fn.definition.id).toBe(provincialIssuer);
      expect(env.JWT_AUDIENCE, fn.definition.id).toBe(provincialAudience);
      // Without a JWKS URL the functions read `jwks_uri` from the issuer's discovery document.
      if (region === 'cn-northwest-1') expect(env.JWT_JWKS_URL, fn.definition.id).toBe(provincialJwks);
      else expect(env.JWT_JWKS_URL, fn.definition.id).toBeUndefined();
      expect(env.IDENTITY_ROLES, fn.definition.id).toBe('staff-records');
      expect(env[tableEnvName('catalogue')], fn.definition.id).toBe(built.names.table('catalogue'));
      const staffRead = roleStatements(built.templates.api, logicalIdOf(fn.role)).filter((s) =>
        JSON.stringify(s.Condition ?? {}).includes('STAFF#*'),
      );
      expect(staffRead, fn.definition.id).toHaveLength(1);
      expect(asArray(staffRead[0].Action)).toEqual(['dynamodb:GetItem']);
      expect(staffRead[0].Condition).toEqual({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['STAFF#*'] },
      });
    }
  });

  it('runs every function on x86_64 without X-Ray (not offered for Lambda in China)', () => {
    for (const [name, template] of templates) {
      for (const fn of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
        expect(fn.Properties.Architectures, name).toEqual(['x86_64']);
        expect(fn.Properties.TracingConfig, name).toBeUndefined();
        expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED, name).toBe('false');
      }
    }
    // No X-Ray permission on any function role either (the state machine keeps its tracing: see the table).
    for (const [stack, functions] of [
      [built.templates.api, built.api.functions],
      [built.templates.workflow, built.workflow.functions],
    ] as const) {
      for (const fn of Object.values(functions)) {
        const actions = roleStatements(stack, logicalIdOf(fn.role)).flatMap((s) => asArray<string>(s.Action));
        expect(
          actions.filter((a) => a.startsWith('xray:')),
          fn.definition.id,
        ).toEqual([]);
      }
    }
  });

  it("fills the ASL's partition placeholder with AWS::Partition", () => {
    const machine = Object.values(
      resourcesOfType(built.templates.workflow, 'AWS::StepFunctions::StateMachine'),
    )[0];
    expect(machine.Properties.DefinitionSubstitutions.Partition).toEqual({ Ref: 'AWS::Partition' });
    const staged = readFileSync(
      path.join(built.app.outdir, `asset.${machine.Properties.DefinitionS3Location.Key}`),
      'utf8',
    );
    expect(staged).toContain('"arn:${Partition}:states:::lambda:invoke"');
    expect(staged).not.toMatch(/"arn:aws[a-z-]*:/);
  });

  it('puts no tags on the dashboard (AWS::CloudWatch::Dashboard has no Tags in cn-north-1)', () => {
    for (const dashboard of Object.values(
      resourcesOfType(built.templates.monitoring, 'AWS::CloudWatch::Dashboard'),
    )) {
      expect(dashboard.Properties.Tags).toBeUndefined();
    }
    // Everything else keeps the stage's tags.
    const table = Object.values(resourcesOfType(built.templates.stateful, 'AWS::DynamoDB::Table'))[0];
    expect(table.Properties.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'stage', Value: 'prod' },
        { Key: 'project', Value: 'onewindow' },
      ]),
    );
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      ),
    ).toEqual([]);
  });
});

describe(`a standard-region stage (${standardRegion})`, () => {
  const templates = templatesOf(standard);

  it('keeps Cognito, arm64 functions with X-Ray and the tagged dashboard, in its region', () => {
    expect(standard.target).toMatchObject({ region: standardRegion, partition: 'aws', china: false });
    for (const stack of stacksOf(standard)) expect(stack.region).toBe(standardRegion);
    expect(Object.keys(resourcesOfType(standard.templates.api, 'AWS::Cognito::UserPool'))).toHaveLength(1);
    const authorizer = Object.values(
      resourcesOfType(standard.templates.api, 'AWS::ApiGatewayV2::Authorizer'),
    )[0];
    expect(authorizer.Properties.Name).toBe('cognito');
    for (const [, template] of templates) {
      for (const fn of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
        expect(fn.Properties.Architectures).toEqual(['arm64']);
        expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
        expect(fn.Properties.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBeUndefined();
      }
    }
    const dashboard = Object.values(
      resourcesOfType(standard.templates.monitoring, 'AWS::CloudWatch::Dashboard'),
    )[0];
    expect(dashboard.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'stage', Value: 'prod' }]));
  });

  it('is partition-neutral too: no arn:aws: ARN, the ASL partition from AWS::Partition', () => {
    for (const [name, template] of templates)
      expect(JSON.stringify(template.toJSON()), name).not.toContain('arn:aws:');
    const machine = Object.values(
      resourcesOfType(standard.templates.workflow, 'AWS::StepFunctions::StateMachine'),
    )[0];
    expect(machine.Properties.DefinitionSubstitutions.Partition).toEqual({ Ref: 'AWS::Partition' });
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(new AwsSolutionsChecks().validateScope(standard.app).violations).toEqual([]);
  });
});

describe('identity and region settings that cannot deploy', () => {
  const build = (context: Record<string, unknown>, stage = 'prod') =>
    buildApp({ bundle: false, stage, context: { ...origins, ...context } });

  it('refuses a China region without an OpenID Connect provider: Cognito is not offered there', () => {
    for (const region of chinaRegions) {
      expect(() => build({ region })).toThrow(
        new RegExp(
          `Amazon Cognito user pools are not available in the China regions \\(${region}\\): stage prod needs an OpenID Connect identity provider[\\s\\S]*-c oidcIssuer=https://`,
        ),
      );
    }
    // A provider configured for another stage is not this stage's.
    expect(() =>
      build({ region: 'cn-north-1', identity: { qa: { issuer: provincialIssuer, audience: 'qa' } } }),
    ).toThrow(/Cognito user pools are not available in the China regions/);
  });

  it('refuses an issuer that is not an https URL, and an empty audience', () => {
    for (const oidcIssuer of [
      'http://ids.hlj.gov.cn/oidc',
      'ids.hlj.gov.cn',
      'https://ids.hlj.gov.cn/?tenant=1',
    ]) {
      expect(() => build({ region: 'cn-north-1', oidcIssuer, oidcAudience: provincialAudience })).toThrow(
        /identity provider's issuer must be an https URL without query or fragment/,
      );
    }
    expect(() => build({ region: 'cn-north-1', oidcIssuer: provincialIssuer, oidcAudience: ' ' })).toThrow(
      /identity provider's audience must be one non-empty client id/,
    );
    expect(() => build({ region: 'cn-north-1', oidcIssuer: provincialIssuer })).toThrow(/audience/);
    expect(() =>
      build({ oidcIssuer: provincialIssuer, oidcAudience: provincialAudience, oidcJwksUrl: 'http://x/keys' }),
    ).toThrow(/jwksUrl must be an https URL/);
    expect(() =>
      build({ identity: { prod: { issuer: provincialIssuer, audience: 'a', role: 'token' } } }),
    ).toThrow(/unknown setting role/);
  });

  it('takes an OpenID Connect provider in a standard region too (no user pool), and an architecture override', () => {
    const built = build({
      region: 'eu-west-1',
      identity: { issuer: provincialIssuer, audience: provincialAudience, roles: 'token' },
      lambdaArchitecture: 'x86_64',
    });
    expect(built.api.userPool).toBeUndefined();
    expect(built.identity).toMatchObject({ kind: 'oidc', roles: 'token' });
    expect(built.target.lambdaArchitecture).toBe('x86_64');
    expect(
      build({
        region: 'cn-north-1',
        oidcIssuer: provincialIssuer,
        oidcAudience: 'a',
        lambdaArchitecture: 'arm64',
      }).target.lambdaArchitecture,
    ).toBe('arm64');
    expect(() => build({ lambdaArchitecture: 'graviton' })).toThrow(
      /lambdaArchitecture must be arm64 or x86_64/,
    );
  });
});

describe('the China availability table', () => {
  it('says Cognito user pools are missing in both China regions and what replaces them', () => {
    const cognito = chinaAvailability.find((row) => row.feature.startsWith('Amazon Cognito user pools'));
    expect(cognito).toMatchObject({ cnNorth1: 'no', cnNorthwest1: 'no', resourceTypes: [] });
    expect(cognito?.inChina).toMatch(/OpenID Connect/);
  });

  it('cites a source for every row and a note for every row it could not verify', () => {
    for (const row of chinaAvailability) {
      expect(row.sources.length, row.feature).toBeGreaterThan(0);
      if (row.cnNorth1 === 'unverified' || row.cnNorthwest1 === 'unverified')
        expect(row.note, row.feature).toBeTruthy();
    }
  });

  it('covers every resource type the standard build deploys, Cognito as the one not offered', () => {
    const standardTypes = new Set(
      templatesOf(standard).flatMap(([, t]) =>
        Object.values(t.toJSON().Resources as Record<string, CfnJson>).map((r) => r.Type as string),
      ),
    );
    const missing = [...standardTypes].filter((type) => !chinaResourceTypes.has(type));
    expect(missing.sort()).toEqual(
      [
        'AWS::Cognito::UserPool',
        'AWS::Cognito::UserPoolClient',
        'AWS::Cognito::UserPoolGroup',
        'AWS::Cognito::UserPoolRiskConfigurationAttachment',
      ].sort(),
    );
  });

  it('renders as a Markdown table with one line per row', () => {
    const lines = renderChinaAvailability().trim().split('\n');
    expect(lines[0]).toMatch(/^\| service \/ feature \| cn-north-1 \| cn-northwest-1 \|/);
    expect(lines).toHaveLength(chinaAvailability.length + 2);
  });
});
