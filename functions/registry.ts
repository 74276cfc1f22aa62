import type { BucketId } from '../infra/definitions/buckets';
import type { EventPattern } from '../infra/definitions/event-patterns';
import type { TableId } from '../infra/definitions/tables';
import { calendarRoutes } from './calendar/routes';
import { caseRoutes } from './cases/routes';
import { catalogueRoutes } from './catalogue/routes';
import { consultationRoutes } from './consultations/routes';
import { issuanceRoutes } from './issuance/routes';
import { docsAssetFiles } from './platform/docs-assets';
import { platformRoutes } from './platform/routes';
import type { RouteSpec } from './shared/http/route';
import { staffRoutes } from './staff/routes';
import { caseOpenedFilter } from './workflow/stream-starter';

export { type StateMachineDefinition, stateMachineDefinitions } from './state-machines';

/**
 * Every Lambda function of the application, as data: the CDK stacks build a NodejsFunction for each
 * (with its routes on the HTTP API, its ASL placeholder and least-privilege grants), and the local
 * stack loads the same handler modules behind its gateway and workflow runner.
 */
/** `describe`: DescribeTable only (a health probe), no item. */
export type TableAccess = 'describe' | 'read' | 'readWrite';
/** `list`: ListBucket only (HeadBucket, a health probe), no object. */
export type BucketAccess = 'list' | 'read' | 'readWrite';
/**
 * `start`: StartExecution; `callback`: SendTask* (on the state machine, as `grantTaskResponse` does);
 * `describe`: DescribeStateMachine; `stop`: StopExecution.
 */
export type WorkflowAccess = 'start' | 'callback' | 'describe' | 'stop';

/**
 * A table stream the function consumes (an event source mapping in AWS, the local stream poller here):
 * batches of records matching any filter, with partial batch responses (`batchItemFailures`).
 */
export interface StreamSubscription {
  table: TableId;
  /** Lambda filter criteria: only matching records are delivered (filtered ones are not billed). */
  filters: EventPattern[];
  /** Records per invocation. */
  batchSize: number;
  /** Retries of a failing batch before its records go to the on-failure queue. */
  retryAttempts: number;
  /** Records older than this go to the on-failure queue unprocessed (the stream keeps 24 hours). */
  maxRecordAgeSeconds: number;
}

export interface FunctionDefinition {
  id: string;
  /** Path of the handler module from the repository root; it exports `handler`. */
  entry: string;
  description: string;
  /** HTTP API routes this function serves. */
  routes: RouteSpec[];
  /** Also answers unmatched routes (404/405 in the API's error format). */
  defaultRoute?: boolean;
  /** The `${...}` placeholder in the ASL files that takes this function's ARN. */
  aslPlaceholder?: string;
  /** Invoked with the records of a table's stream. */
  stream?: StreamSubscription;
  /**
   * Invoked on a schedule (an EventBridge Scheduler schedule in AWS, `rate(…)` or `cron(…)` in
   * Asia/Shanghai); the local stack does not run it, the operator command `check` does.
   */
  schedule?: { expression: string; description: string };
  tables: Partial<Record<TableId, TableAccess>>;
  buckets: Partial<Record<BucketId, BucketAccess>>;
  workflow: WorkflowAccess[];
  /** Needs the JWT issuer settings (any function with an authenticated route). */
  verifiesTokens: boolean;
  memorySize?: number;
  timeoutSeconds?: number;
  /**
   * Files shipped next to the bundle (e.g. a font installed by the setup scripts): copied from `from` on
   * the build machine to `to` in the asset; `env` tells the function where it is in Lambda.
   */
  files?: { from: string; to: string; env: string }[];
}

export const functionDefinitions: FunctionDefinition[] = [
  {
    id: 'platform',
    entry: 'functions/platform/handler.ts',
    description: 'Health, OpenAPI document and docs page, caller identity; answers unknown routes',
    routes: Object.values(platformRoutes),
    defaultRoute: true,
    // Health probes control-plane metadata only (DescribeTable, HeadBucket, DescribeStateMachine): no item,
    // object or execution of any citizen is readable by the function that answers anonymous requests.
    tables: { cases: 'describe', catalogue: 'describe', idempotency: 'describe' },
    buckets: { materials: 'list', results: 'list', catalogue: 'list' },
    workflow: ['describe'],
    verifiesTokens: true,
    // Swagger UI for /docs, from the pinned swagger-ui-dist: DOCS_SWAGGER_UI_BUNDLE_JS, DOCS_SWAGGER_UI_CSS.
    files: docsAssetFiles,
  },
  {
    id: 'catalogue',
    entry: 'functions/catalogue/handler.ts',
    description:
      'Matter catalogue (事项目录): windows, departments, matters, service guides and their files; staff records and qualifications',
    routes: [...Object.values(catalogueRoutes), ...Object.values(staffRoutes)],
    tables: { catalogue: 'readWrite' },
    buckets: { catalogue: 'readWrite' },
    workflow: [],
    verifiesTokens: true,
  },
  {
    id: 'cases',
    entry: 'functions/cases/handler.ts',
    description: 'Intake and acceptance at the front desk (前台综合受理) and the trail (全过程留痕) of cases',
    routes: Object.values(caseRoutes),
    tables: { cases: 'readWrite', idempotency: 'readWrite', catalogue: 'read' },
    buckets: { materials: 'readWrite' },
    workflow: ['callback'],
    verifiesTokens: true,
  },
  {
    id: 'calendar',
    entry: 'functions/calendar/handler.ts',
    description:
      'Working-day calendar (工作日) and holiday schedules; loading one recomputes the open deadlines',
    routes: Object.values(calendarRoutes),
    // catalogue: the loaded schedules; cases: the open deadlines a load recomputes (read and saved).
    tables: { catalogue: 'readWrite', cases: 'readWrite' },
    buckets: {},
    // callback: a case whose deadline moved wakes its workflow, whose timer plans again.
    workflow: ['callback'],
    verifiesTokens: true,
    // A load recomputes every open case within the request (the HTTP API waits at most 30 s).
    timeoutSeconds: 29,
  },
  {
    id: 'issuance',
    entry: 'functions/issuance/handler.ts',
    description:
      'Result documents (制证), issuance at the window (综合窗口出件), delivery (送达) and the public check of results',
    routes: Object.values(issuanceRoutes),
    // catalogue: department names and result names, and the holiday schedules for the alerts.
    tables: { cases: 'readWrite', catalogue: 'read' },
    buckets: { results: 'readWrite' },
    workflow: ['callback'],
    verifiesTokens: true,
    // Rendering a PDF with its font subset wants more than the default.
    memorySize: 1024,
    files: [
      {
        from: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
        to: 'fonts/wqy-microhei.ttc',
        env: 'RESULT_FONT_PATH',
      },
    ],
  },
  {
    id: 'case-workflow',
    entry: 'functions/workflow/handler.ts',
    description: 'Task states of the case lifecycle state machine',
    routes: [],
    aslPlaceholder: 'CaseWorkflowFunctionArn',
    tables: { cases: 'readWrite', catalogue: 'read' },
    buckets: {},
    // Its tasks store tokens; they never send one back (the API steps and the calendar do).
    workflow: [],
    verifiesTokens: false,
  },
  {
    id: 'workflow-starter',
    entry: 'functions/workflow/stream-handler.ts',
    description: 'Starts the lifecycle execution of each accepted case from the cases table stream',
    routes: [],
    stream: {
      table: 'cases',
      filters: [caseOpenedFilter],
      batchSize: 50,
      retryAttempts: 10,
      maxRecordAgeSeconds: 6 * 60 * 60,
    },
    // It reads the stream, never the table: the records carry what it needs.
    tables: {},
    buckets: {},
    workflow: ['start'],
    verifiesTokens: false,
  },
  {
    id: 'consultations',
    entry: 'functions/consultations/handler.ts',
    description:
      'Consultations (咨询件) between the window, the departments and applicants: questions, answers, follow-ups, FAQs',
    routes: Object.values(consultationRoutes),
    // cases: consultations live beside the cases and share their alert lists (and a case is read to ask
    // about it); catalogue: matters, departments' limits, staff records, and the guide draft a FAQ goes to.
    tables: { cases: 'readWrite', catalogue: 'readWrite' },
    // Attachments: checked in the materials bucket as a case's materials are.
    buckets: { materials: 'readWrite' },
    workflow: [],
    verifiesTokens: true,
  },
  {
    id: 'consultation-timer',
    entry: 'functions/consultations/timer-handler.ts',
    description: "Raises the consultations' due alerts (half the limit, the limit, twice the limit)",
    routes: [],
    schedule: {
      expression: 'rate(5 minutes)',
      description: "Raises the consultations' due alerts and plans the next",
    },
    tables: { cases: 'readWrite', catalogue: 'read' },
    buckets: {},
    workflow: [],
    verifiesTokens: false,
  },
  {
    id: 'qualification-alerts',
    entry: 'functions/staff/qualification-alerts-handler.ts',
    description:
      "Daily: alerts on clerks' qualifications (上岗资格) ending within 30 days or ended, in the alert lists",
    routes: [],
    schedule: {
      expression: 'rate(1 day)',
      description: "Raises and resolves the alerts on clerks' qualifications",
    },
    // catalogue: the staff records; cases: the alert items (the alert lists live there).
    tables: { catalogue: 'read', cases: 'readWrite' },
    buckets: {},
    workflow: [],
    verifiesTokens: false,
  },
  {
    id: 'operations-check',
    entry: 'functions/operations/handler.ts',
    description:
      "Hourly operations check: cases in attention, open overdue cases, alerts escalated to the admin, next year's holiday schedule (metrics the alarms watch)",
    routes: [],
    schedule: {
      expression: 'rate(1 hour)',
      description:
        "Counts what the on-call alarms watch and checks that next year's holiday schedule is loaded",
    },
    // The centre's red alert list (an index query) and the loaded holiday schedules.
    tables: { cases: 'read', catalogue: 'read' },
    buckets: {},
    workflow: [],
    verifiesTokens: false,
  },
];

/** Every HTTP route of the API, for the OpenAPI document and the 405 answer. */
export const allRoutes: RouteSpec[] = functionDefinitions.flatMap((f) => f.routes);
