/**
 * The state machines and the ASL files they are built from. Apart from the function registry, so that a
 * function that needs only these (the health check) does not load every route's schemas.
 */
export interface StateMachineDefinition {
  id: string;
  aslFile: string;
  description: string;
  /** Env variable that carries its ARN to the functions. */
  arnEnvName: string;
}

export const stateMachineDefinitions: StateMachineDefinition[] = [
  {
    id: 'case-lifecycle',
    aslFile: 'statemachines/case-lifecycle.asl.json',
    description: 'One Standard execution per case, named by the case id',
    arnEnvName: 'CASE_LIFECYCLE_STATE_MACHINE_ARN',
  },
];
