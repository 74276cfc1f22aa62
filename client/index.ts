import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './schema';

/**
 * The typed client of the OneWindow API for the portal and the counter app: `openapi-fetch` over the
 * types that openapi-typescript generated from the API's own OpenAPI document (`client/schema.ts`, from
 * `client/openapi.json`; both by `npm run client`). Only `openapi-fetch` is needed at run time.
 *
 *   const api = createOneWindowClient('https://api.example.gov.cn', { token: () => session.idToken() });
 *   const { data, error } = await api.GET('/cases/{caseId}', { params: { path: { caseId } } });
 *   if (error) show(error.error.message); else render(data.status);
 */
export type { components, operations, paths };

type Schemas = components['schemas'];
export type Case = Schemas['Case'];
export type CaseSummary = Schemas['CaseSummary'];
export type CaseStatus = Case['status'];
export type CasePhase = NonNullable<Case['phase']>;
export type Applicant = Schemas['Applicant'];
export type ProcessingClock = Schemas['ProcessingClock'];
export type TrailEvent = Schemas['TrailEvent'];
export type MatterRef = Schemas['MatterRef'];
export type MatterSummary = Schemas['MatterSummary'];
export type ServiceGuide = Schemas['ServiceGuide'];
export type WindowView = Schemas['WindowView'];
export type DepartmentView = Schemas['DepartmentView'];
export type Alert = Schemas['Alert'];
export type Consultation = Schemas['Consultation'];
export type Principal = Schemas['Principal'];
export type Health = Schemas['Health'];
export type DocumentDownload = Schemas['DocumentDownload'];
export type DownloadUrl = Schemas['DownloadUrl'];
export type ResultVerification = Schemas['ResultVerification'];
export type StaffRecord = Schemas['StaffRecord'];
export type Qualification = Schemas['Qualification'];
export type WorkingDay = Schemas['WorkingDay'];
export type WorkingHours = Schemas['WorkingHours'];

/** Every 4xx/5xx body: `{ error: { code, message, details? } }`, one schema per status. */
export type ApiError = Schemas[Extract<keyof Schemas, `Error${number}`>];
/** The stable error codes (`error.code`) the API answers. */
export type ErrorCode = ApiError['error']['code'];

/** A bearer token, or a function that gives the current one (called before every request). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface OneWindowClientOptions {
  /** Sent as `Authorization: Bearer <token>`; omit it for the public operations. */
  token?: TokenSource;
  /** The fetch to use (a test double, an instrumented fetch); the global one by default. */
  fetch?: typeof fetch;
}

export type OneWindowClient = Client<paths>;

/** The middleware that adds `Authorization: Bearer <token>` unless the request already carries one. */
export function bearerAuth(token: TokenSource): Middleware {
  return {
    async onRequest({ request }) {
      if (request.headers.has('authorization')) return request;
      const value = typeof token === 'function' ? await token() : token;
      if (value) request.headers.set('authorization', `Bearer ${value}`);
      return request;
    },
  };
}

/**
 * A client of the API at `baseUrl` (the stage's URL in AWS, `http://127.0.0.1:3000` locally): `GET`,
 * `POST`, `PUT`… take the path template as written in the document, and answer `{ data, error, response }`
 * with `data` typed by the operation's 2xx schema and `error` by its error schemas.
 */
export function createOneWindowClient(
  baseUrl: string,
  options: OneWindowClientOptions = {},
): OneWindowClient {
  const client = createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ''),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  if (options.token !== undefined) client.use(bearerAuth(options.token));
  return client;
}

/**
 * The instant of the service clock an answer was computed on (`X-OneWindow-Time`): show deadlines and
 * "today" against it, not the device's clock (the local stack's clock may be accelerated).
 */
export function serviceTime(response: Response): Date | undefined {
  const value = response.headers.get('x-onewindow-time');
  return value ? new Date(value) : undefined;
}
