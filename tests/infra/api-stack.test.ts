import { describe, expect, it } from 'vitest';
import { roles } from '../../functions/domain/principal';
import { functionDefinitions } from '../../functions/registry';
import { routeKey } from '../../functions/shared/http/route';
import { type CfnJson, defined, logicalIdOf, resourcesOfType, synthesizeApp } from './support';

const built = synthesizeApp({ context: { apiRateLimit: 321, apiBurstLimit: 654 } });
const template = built.templates.api;
const resources = template.toJSON().Resources as Record<string, CfnJson>;
const apiDefinitions = functionDefinitions.filter((def) => def.routes.length > 0 || def.defaultRoute);
const userPoolId = logicalIdOf(defined(built.api.userPool, 'user pool'));
const clientId = logicalIdOf(defined(built.api.userPoolClient, 'user pool client'));
const expectedIssuer = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [userPoolId, 'ProviderURL'] }]] };

const lambdaIdOf = (id: string): string => {
  const fn = built.api.functions[id];
  if (!fn) throw new Error(`no API function ${id}`);
  return logicalIdOf(fn.function);
};

const routes = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route'));
const routeByKey = (key: string): CfnJson => {
  const route = routes.find((r) => r.Properties.RouteKey === key);
  if (!route) throw new Error(`no route ${key}`);
  return route;
};
/** The Lambda function (logical id) behind a route, through its integration. */
const functionBehind = (route: CfnJson): string => {
  const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
  return resources[integrationId].Properties.IntegrationUri['Fn::GetAtt'][0] as string;
};

describe('Cognito user pool', () => {
  const pool = resources[userPoolId];

  it('admits no self sign-up and enforces a strong password policy', () => {
    expect(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Properties.Policies.PasswordPolicy).toMatchObject({
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    expect(pool.Properties.Policies.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
  });

  it('offers TOTP MFA, runs threat protection on the Plus plan and is protected from deletion', () => {
    expect(pool.Properties.MfaConfiguration).toBe('OPTIONAL');
    expect(pool.Properties.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Properties.UserPoolTier).toBe('PLUS');
    expect(pool.Properties.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
    expect(pool.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::Cognito::UserPoolRiskConfigurationAttachment', {
      UserPoolId: { Ref: userPoolId },
      ClientId: 'ALL',
      AccountTakeoverRiskConfiguration: { Actions: { HighAction: { EventAction: 'MFA_REQUIRED' } } },
      CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'BLOCK' } },
    });
  });

  it('carries windowId and departmentId as mutable custom string attributes', () => {
    for (const name of ['windowId', 'departmentId']) {
      expect(pool.Properties.Schema).toContainEqual(
        expect.objectContaining({ Name: name, AttributeDataType: 'String', Mutable: true }),
      );
    }
  });

  it('has one group per role, named as the role (the cognito:groups claim)', () => {
    const groups = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolGroup'));
    expect(groups.map((g) => g.Properties.GroupName).sort()).toEqual([...roles].sort());
    for (const group of groups) expect(group.Properties.UserPoolId).toEqual({ Ref: userPoolId });
  });

  it('has a public web client (no secret, SRP only, never the plain password) that cannot write its own scope', () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    const client = resources[clientId].Properties;
    expect(client.GenerateSecret).toBe(false);
    expect([...client.ExplicitAuthFlows].sort()).toEqual(['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH']);
    expect(client.ReadAttributes).toEqual(expect.arrayContaining(['custom:windowId', 'custom:departmentId']));
    expect(client.WriteAttributes).not.toContain('custom:windowId');
    expect(client.WriteAttributes).not.toContain('custom:departmentId');
    expect(client.PreventUserExistenceErrors).toBe('ENABLED');
  });
});

describe('HTTP API', () => {
  const authorizers = Object.entries(resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer'));

  it('has one JWT authorizer: Cognito issuer, the web client as audience', () => {
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]?.[1].Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: expectedIssuer, Audience: [{ Ref: clientId }] },
    });
  });

  it('has a route for every registry route plus $default, and nothing else', () => {
    const expected = [...apiDefinitions.flatMap((def) => def.routes.map(routeKey)), '$default'].sort();
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(expected);
  });

  it('puts the JWT authorizer on exactly the authenticated routes', () => {
    const authorizerId = authorizers[0]?.[0] as string;
    for (const def of apiDefinitions) {
      for (const spec of def.routes) {
        const route = routeByKey(routeKey(spec));
        if (spec.access === 'authenticated') {
          expect(route.Properties, routeKey(spec)).toMatchObject({
            AuthorizationType: 'JWT',
            AuthorizerId: { Ref: authorizerId },
          });
        } else {
          expect(route.Properties.AuthorizationType, routeKey(spec)).toBe('NONE');
          expect(route.Properties.AuthorizerId, routeKey(spec)).toBeUndefined();
        }
      }
    }
    expect(routeByKey('$default').Properties.AuthorizationType).toBe('NONE');
  });

  it('sends each route to the function that declares it, and $default to the defaultRoute function', () => {
    for (const def of apiDefinitions) {
      const lambdaId = lambdaIdOf(def.id);
      for (const spec of def.routes) expect(functionBehind(routeByKey(routeKey(spec)))).toBe(lambdaId);
      if (def.defaultRoute) expect(functionBehind(routeByKey('$default'))).toBe(lambdaId);
    }
    expect(apiDefinitions.filter((def) => def.defaultRoute)).toHaveLength(1);
  });

  it('deploys a $default stage with JSON access logs to an encrypted log group and throttling', () => {
    const stages = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const stage = stages[0]?.Properties;
    expect(stage.StageName).toBe('$default');
    expect(stage.AutoDeploy).toBe(true);
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 321, ThrottlingBurstLimit: 654 });
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format.requestId).toBe('$context.requestId');
    expect(format.status).toBe('$context.status');
    const logGroupId = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroupId].Properties.KmsKeyId).toBeDefined();
  });

  it('lets API Gateway invoke each function', () => {
    for (const def of apiDefinitions) {
      const lambdaId = lambdaIdOf(def.id);
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [lambdaId, 'Arn'] },
        Principal: 'apigateway.amazonaws.com',
      });
    }
  });
});

describe('issuance function', () => {
  it('prints this API’s verification address on results and finds its font next to the bundle', () => {
    const variables = resources[lambdaIdOf('issuance')].Properties.Environment.Variables;
    expect(variables.RESULT_FONT_PATH).toBe('/var/task/fonts/wqy-microhei.ttc');
    const httpApiId = logicalIdOf(built.api.httpApi);
    expect(JSON.stringify(variables.RESULT_VERIFY_URL)).toContain(httpApiId);
    expect(JSON.stringify(variables.RESULT_VERIFY_URL)).toContain('/results/verify');
  });
});

describe('stack dependencies', () => {
  it('the API stack depends on the workflow and stateful stacks', () => {
    const dependencies = built.api.dependencies.map((stack) => stack.stackName).sort();
    expect(dependencies).toEqual([built.stateful.stackName, built.workflow.stackName].sort());
    expect(built.workflow.dependencies.map((stack) => stack.stackName)).toEqual([built.stateful.stackName]);
  });
});
