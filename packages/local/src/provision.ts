import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { queueViews, type TableSpec, type Topology } from "@m3bc/topology";

export interface ProvisionedQueue {
  name: string;
  url: string;
  arn: string;
  dlqUrl: string;
  dlqArn: string;
  fifo: boolean;
}

const DAY = 86_400;

/** Creates every queue of the topology with its DLQ and redrive policy, as the stateful stack does in the cloud. */
export async function provisionQueues(
  sqs: SQSClient,
  topology: Topology,
): Promise<Record<string, ProvisionedQueue>> {
  const result: Record<string, ProvisionedQueue> = {};
  for (const view of queueViews(topology)) {
    const suffix = view.fifo ? ".fifo" : "";
    const fifoAttributes: Record<string, string> = view.fifo ? { FifoQueue: "true" } : {};
    const dlq = await createQueue(sqs, `${view.dlqName}${suffix}`, {
      ...fifoAttributes,
      MessageRetentionPeriod: String(view.dlqRetentionDays * DAY),
    });
    const queue = await createQueue(sqs, `${view.name}${suffix}`, {
      ...fifoAttributes,
      VisibilityTimeout: String(view.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(view.retentionDays * DAY),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: view.maxReceiveCount }),
    });
    result[view.name] = {
      name: view.name,
      url: queue.url,
      arn: queue.arn,
      dlqUrl: dlq.url,
      dlqArn: dlq.arn,
      fifo: view.fifo,
    };
  }
  return result;
}

/** Creates a queue, or (kept data from an earlier run) brings an existing one's attributes up to date. */
async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>) {
  let url: string;
  try {
    url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  } catch (error) {
    if (!/QueueAlreadyExists|QueueNameExists/.test((error as Error).name)) throw error;
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
    const { FifoQueue: _, ...changeable } = attributes;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changeable }));
  }
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }),
  );
  return { url, arn: Attributes!.QueueArn! };
}

/** Creates every table of the topology (on-demand, with its indexes). TTL is the cloud's job; records carry it. */
export async function provisionTables(
  dynamo: DynamoDBClient,
  topology: Topology,
): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const [name, spec] of Object.entries(topology.tables)) {
    const indexes = spec.indexes?.map(
      (index): GlobalSecondaryIndex => ({
        IndexName: index.name,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: "ALL" },
      }),
    );
    try {
      await dynamo.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: attributeDefinitions(spec),
          KeySchema: keySchema(spec.partitionKey, spec.sortKey),
          GlobalSecondaryIndexes: indexes,
        }),
      );
    } catch (error) {
      if ((error as Error).name !== "ResourceInUseException") throw error;
      // Kept from an earlier run: add the indexes the topology has gained since.
      const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: name }));
      const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
      for (const index of (indexes ?? []).filter((i) => !existing.has(i.IndexName)))
        await dynamo.send(
          new UpdateTableCommand({
            TableName: name,
            AttributeDefinitions: attributeDefinitions(spec),
            GlobalSecondaryIndexUpdates: [{ Create: index }],
          }),
        );
    }
    names[name] = name;
  }
  return names;
}

const keySchema = (partitionKey: string, sortKey?: string): KeySchemaElement[] => [
  { AttributeName: partitionKey, KeyType: "HASH" },
  ...(sortKey ? [{ AttributeName: sortKey, KeyType: "RANGE" as const }] : []),
];

function attributeDefinitions(spec: TableSpec): AttributeDefinition[] {
  const keys = new Set([
    spec.partitionKey,
    spec.sortKey,
    ...(spec.indexes ?? []).flatMap((i) => [i.partitionKey, i.sortKey]),
  ]);
  return [...keys]
    .filter((k): k is string => !!k)
    .map((AttributeName) => ({ AttributeName, AttributeType: "S" }));
}
