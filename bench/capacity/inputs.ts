import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod';
import type { ScenarioRecord } from '../cost/case-run';
import { defaultDurationsMs, defaultLimits, type PeakInput } from './model';
import { profileOfScenario, type WorkloadProfile } from './profile';

/**
 * The capacity model's inputs: the peak from the command line, the per-application figures from the
 * cost bench's enrolment case (bench/results/cost.json) or, without one, from the profile measured
 * when this was written (enrolment-profile.json).
 */
export const peakOptionsSchema = z.object({
  applications: z.coerce.number().int().positive().default(100_000),
  firstHourShare: z.coerce.number().gt(0).max(1).default(0.3),
  burstFactor: z.coerce.number().min(1).default(3),
  burstMinutes: z.coerce.number().gt(0).max(60).default(10),
  // Keeps the §32 five working days for a season of 100 000: e.g. 50 clerks × 30 acceptances an hour.
  acceptancesPerHour: z.coerce.number().positive().default(1500),
  apiRateLimit: z.coerce.number().positive().default(defaultLimits.apiRateLimit),
  apiBurstLimit: z.coerce.number().positive().default(defaultLimits.apiBurstLimit),
});

export type PeakOptions = z.infer<typeof peakOptionsSchema>;

export const enrolmentScenario = 'enrolment-portal';
const builtInProfile = new URL('./enrolment-profile.json', import.meta.url);

/** The enrolment case's profile from a cost.json, if the file has one. */
export function profileFromCostFile(file: string): WorkloadProfile | undefined {
  if (!existsSync(file)) return undefined;
  const results = JSON.parse(readFileSync(file, 'utf8')) as {
    measuredAt?: string;
    scenarios?: { run: ScenarioRecord }[];
  };
  const run = results.scenarios?.find((s) => s.run.scenario === enrolmentScenario)?.run;
  const shown = path.relative(process.cwd(), file) || file;
  return run
    ? profileOfScenario(run, `measured by the cost bench (${shown}, ${results.measuredAt})`)
    : undefined;
}

export function loadBuiltInProfile(): WorkloadProfile {
  return JSON.parse(readFileSync(builtInProfile, 'utf8')) as WorkloadProfile;
}

export function peakInput(options: PeakOptions, profile: WorkloadProfile): PeakInput {
  return {
    applications: options.applications,
    firstHourShare: options.firstHourShare,
    burstFactor: options.burstFactor,
    burstMinutes: options.burstMinutes,
    acceptancesPerHour: options.acceptancesPerHour,
    durationsMs: defaultDurationsMs,
    profile,
    limits: { ...defaultLimits, apiRateLimit: options.apiRateLimit, apiBurstLimit: options.apiBurstLimit },
  };
}
