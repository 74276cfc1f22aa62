import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  CfnUserPoolRiskConfigurationAttachment,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { roleLabels, roles } from '../../functions/domain/principal';
import { type FunctionDefinition, functionDefinitions } from '../../functions/registry';
import { routeKey } from '../../functions/shared/http/route';
import { AppFunction, type FunctionPlatform, type TokenVerification } from '../constructs/app-function';
import { acknowledgeNag } from '../constructs/nag';
import { pascalCase, type ResourceNames } from '../constructs/resource-names';
import { corsPolicy } from '../definitions/cors';
import type { IdentityConfig } from '../definitions/identity';

export interface ApiStackProps extends StackProps {
  names: ResourceNames;
  dataKey: IKey;
  logLevel: string;
  /** The workflow's state machines: this stack's functions start, describe and call back their executions. */
  stateMachines: IStateMachine[];
  /** Browser origins allowed to call the API (CORS). */
  allowedOrigins: string[];
  throttle: { rateLimit: number; burstLimit: number };
  /** Who signs the tokens (default Cognito: this stack's user pool). */
  identity?: IdentityConfig;
  /** Architecture and tracing of the functions (by region). */
  functionPlatform?: FunctionPlatform;
}

/** The registry's HTTP functions: those with routes or the `$default` route. */
export const apiFunctionDefinitions = (): FunctionDefinition[] =>
  functionDefinitions.filter((def) => def.routes.length > 0 || def.defaultRoute === true);

/**
 * The public face: the identity provider (a Cognito user pool with one group per role and window and
 * department as custom attributes; or, where Cognito is not offered, an external OpenID Connect provider and
 * no user pool), the HTTP API with its JWT authorizer, and the functions behind its routes.
 */
export class ApiStack extends Stack {
  /** The Cognito user pool and its web client; undefined with an external OpenID Connect provider. */
  readonly userPool: UserPool | undefined;
  readonly userPoolClient: UserPoolClient | undefined;
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly tokenVerification: TokenVerification;
  readonly functions: Record<string, AppFunction> = {};

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { names } = props;
    for (const machine of props.stateMachines) this.addStackDependency(Stack.of(machine));

    const identity = props.identity ?? { kind: 'cognito' };
    if (identity.kind === 'cognito') {
      const { userPool, client, issuer } = this.cognitoUserPool(names);
      this.userPool = userPool;
      this.userPoolClient = client;
      this.tokenVerification = {
        issuer,
        audience: client.userPoolClientId,
        jwksUrl: `${issuer}/.well-known/jwks.json`,
      };
    } else {
      this.userPool = undefined;
      this.userPoolClient = undefined;
      this.tokenVerification = {
        issuer: identity.issuer,
        audience: identity.audience,
        ...(identity.jwksUrl ? { jwksUrl: identity.jwksUrl } : {}),
        roles: identity.roles,
        ...(identity.personClaims ? { personClaims: identity.personClaims } : {}),
      };
    }
    const { issuer } = this.tokenVerification;

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      encryptionKey: props.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: names.prefix,
      description: 'OneWindow (一窗通办) API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.allowedOrigins,
        allowMethods: corsPolicy.allowMethods.map((method) => CorsHttpMethod[method]),
        allowHeaders: corsPolicy.allowHeaders,
        exposeHeaders: corsPolicy.exposeHeaders,
        maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
      },
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No bodies, headers or query strings: they may carry personal data.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTimeEpoch',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            sub: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });

    // API Gateway finds the key set itself, from `<issuer>/.well-known/openid-configuration`.
    const authorizer = new HttpJwtAuthorizer(
      identity.kind === 'cognito' ? 'CognitoJwtAuthorizer' : 'OidcJwtAuthorizer',
      issuer,
      {
        authorizerName: identity.kind === 'cognito' ? 'cognito' : 'oidc',
        jwtAudience: [this.tokenVerification.audience],
        identitySource: ['$request.header.Authorization'],
      },
    );

    const routeKeys = new Set<string>();
    let defaultRouteOwner: string | undefined;
    for (const def of apiFunctionDefinitions()) {
      if (def.aslPlaceholder !== undefined) {
        throw new Error(`function ${def.id} has both HTTP routes and an ASL placeholder: split it in two`);
      }
      const fn = new AppFunction(this, `${pascalCase(def.id)}Function`, {
        definition: def,
        names,
        dataKey: props.dataKey,
        logLevel: props.logLevel,
        defaultTimeout: Duration.seconds(10),
        auth: this.tokenVerification,
        ...(props.functionPlatform ? { platform: props.functionPlatform } : {}),
      });
      this.functions[def.id] = fn;
      // Result documents print where anyone can check them: this API's public verification route.
      if (def.routes.some((route) => route.path === '/results/verify')) {
        fn.function.addEnvironment('RESULT_VERIFY_URL', `${this.httpApi.apiEndpoint}/results/verify`);
      }
      const integration = new HttpLambdaIntegration(`${pascalCase(def.id)}Integration`, fn.function);

      for (const route of def.routes) {
        const key = routeKey(route);
        if (routeKeys.has(key)) throw new Error(`route ${key} is declared twice in the registry`);
        routeKeys.add(key);
        const [httpRoute] = this.httpApi.addRoutes({
          path: route.path,
          methods: [HttpMethod[route.method]],
          integration,
          ...(route.access === 'authenticated' ? { authorizer } : {}),
        });
        if (route.access === 'public' && httpRoute) {
          acknowledgeNag(
            httpRoute,
            'APIG4',
            `${key} (${route.operationId}) is public by design (registry access "public"): ${route.summary}.`,
          );
        }
      }

      if (def.defaultRoute) {
        if (defaultRouteOwner) {
          throw new Error(`both ${defaultRouteOwner} and ${def.id} claim the $default route`);
        }
        defaultRouteOwner = def.id;
        const defaultRoute = new HttpRoute(this, 'DefaultRoute', {
          httpApi: this.httpApi,
          routeKey: HttpRouteKey.DEFAULT,
          integration,
        });
        acknowledgeNag(
          defaultRoute,
          'APIG4',
          `$default only answers requests that match no declared route, with 404/405 in the API error format; ` +
            `it returns no data, and an authorizer here would turn those answers into 401 for callers without a token.`,
        );
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
    if (this.userPool && this.userPoolClient) {
      new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
      new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    }
    new CfnOutput(this, 'JwtIssuer', { value: issuer });
  }

  /** The Cognito user pool (standard regions): administrators create the users, with their groups and scope. */
  private cognitoUserPool(names: ResourceNames): {
    userPool: UserPool;
    client: UserPoolClient;
    issuer: string;
  } {
    const userPool = new UserPool(this, 'UserPool', {
      userPoolName: names.prefix,
      // Accounts are created by the centre (AdminCreateUser), with their groups and window/department.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      customAttributes: {
        windowId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        departmentId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of roles) {
      userPool.addGroup(`${pascalCase(role)}Group`, {
        groupName: role,
        description: `${roleLabels[role]} (${role})`,
      });
    }

    const client = userPool.addClient('WebClient', {
      userPoolClientName: `${names.prefix}-web`,
      generateSecret: false,
      // SRP only: USER_PASSWORD_AUTH sends the plain password to Cognito, which SRP never does.
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, preferredUsername: true })
        .withCustomAttributes('windowId', 'departmentId'),
      // Window and department scope what a user may do: only the centre sets them (admin APIs), never
      // the user through this client.
      writeAttributes: new ClientAttributes().withStandardAttributes({
        email: true,
        preferredUsername: true,
      }),
    });

    // Adaptive authentication (Plus feature plan): risky sign-ins need MFA, leaked passwords are blocked.
    new CfnUserPoolRiskConfigurationAttachment(this, 'UserPoolRiskConfiguration', {
      userPoolId: userPool.userPoolId,
      clientId: 'ALL',
      accountTakeoverRiskConfiguration: {
        actions: {
          highAction: { eventAction: 'MFA_REQUIRED', notify: false },
          mediumAction: { eventAction: 'MFA_IF_CONFIGURED', notify: false },
          lowAction: { eventAction: 'NO_ACTION', notify: false },
        },
      },
      compromisedCredentialsRiskConfiguration: { actions: { eventAction: 'BLOCK' } },
    });
    acknowledgeNag(
      userPool,
      'COG2',
      'MFA is OPTIONAL, not REQUIRED: Cognito cannot require MFA per group, and most users are applicants ' +
        '(citizens, enterprises) who must be able to sign in without an authenticator. Every user can enrol TOTP, ' +
        'and threat protection (Plus plan, FULL_FUNCTION) requires MFA on high-risk sign-ins and blocks leaked passwords.',
    );

    return { userPool, client, issuer: `https://${userPool.userPoolProviderUrl}` };
  }
}
