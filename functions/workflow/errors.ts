/**
 * Errors a task handler throws to the state machine. Their `name` is the ASL error name that Catch and
 * Retry match, so it must stay stable.
 */
export class WorkflowTaskError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export const caseNotFound = (caseId: string) =>
  new WorkflowTaskError('CaseNotFound', `case ${caseId} does not exist`);

export const phaseMoved = (caseId: string, phase: string) =>
  new WorkflowTaskError('PhaseMoved', `case ${caseId} is no longer in phase ${phase}`);

export const invalidTaskInput = (detail: string) => new WorkflowTaskError('InvalidTaskInput', detail);

/** The case is closed (办结, or ended): the lifecycle execution ends. */
export const caseClosed = (caseId: string) => new WorkflowTaskError('CaseClosed', `case ${caseId} is closed`);

export const unknownPhase = (caseId: string, phase: string) =>
  new WorkflowTaskError('UnknownPhase', `case ${caseId} is in phase ${phase}, which has no human step`);
