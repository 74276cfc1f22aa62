import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '../tracer';
import { region } from './region';

/**
 * DynamoDB clients, created once per container. One module per service, so a function bundles only the
 * clients it imports. Locally only the endpoint differs (AWS_ENDPOINT_URL_DYNAMODB, read by the SDK).
 */
export const dynamoDb = traced(new DynamoDBClient({ region, maxAttempts: 3 }));

export const documentClient = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
});
