export type { LocalLambdaHandler } from './lambda-functions';
export type { LocalStateMachine } from './runner';
export { type LocalStepFunctions, type LocalStepFunctionsOptions, startLocalStepFunctions } from './server';
