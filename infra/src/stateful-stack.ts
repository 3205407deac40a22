import {
  type BucketSpec,
  parameterNames,
  type QueueView,
  queueViews,
  resourceTags,
  type SecretName,
  type TableSpec,
  type Topology,
} from "@m3bc/topology";
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sqs from "aws-cdk-lib/aws-sqs";
import * as ssm from "aws-cdk-lib/aws-ssm";
import type { Construct } from "constructs";
import { pascal } from "./names";

export interface StatefulStackProps extends StackProps {
  topology: Topology;
  stage: string;
}

export interface DeployedQueue {
  view: QueueView;
  queue: sqs.IQueue;
  dlq: sqs.IQueue;
}

const SECRET_DESCRIPTIONS: Record<SecretName, string> = {
  bigcommerce: "BigCommerce API account: JSON {accessToken}. Upload with put-secret-value (docs/deploy.md).",
  "bigcommerce-webhooks":
    "What authenticates BigCommerce webhook calls: JSON {webhookSecret, clientSecret?}. Upload with put-secret-value (docs/deploy.md).",
  m3: "Infor M3 ION API backend-service credentials: the downloaded .ionapi file as JSON. Upload with put-secret-value (docs/deploy.md).",
};

/**
 * What holds data: the topology's queues with their DLQs, its tables and the secrets. Everything here is retained
 * when the stack is deleted, so tearing down or replacing the stateless stack never loses a message or a record.
 */
export class StatefulStack extends Stack {
  readonly queues: Record<string, DeployedQueue & { queue: sqs.Queue; dlq: sqs.Queue }> = {};
  readonly tables: Record<string, dynamodb.Table> = {};
  readonly secrets: Partial<Record<SecretName, secretsmanager.Secret>> = {};
  readonly buckets: Record<string, s3.Bucket> = {};
  /** Where EventBridge Scheduler puts runs it could not deliver; only when the topology has schedules. */
  readonly scheduleDlq: sqs.Queue | undefined;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { topology } = props;
    const parameters = parameterNames(props.stage);

    for (const view of queueViews(topology)) {
      const deployed = this.addQueue(view);
      this.queues[view.name] = deployed;
      this.publish(parameters.queue(view.name), deployed.queue.queueArn, `queue ${view.name}`);
      this.publish(parameters.dlq(view.name), deployed.dlq.queueArn, `the DLQ of queue ${view.name}`);
    }
    for (const [name, spec] of Object.entries(topology.tables)) {
      this.tables[name] = this.addTable(name, spec);
      this.publish(parameters.table(name), this.tables[name].tableArn, `table ${name}`);
    }
    for (const [name, spec] of Object.entries(topology.buckets ?? {})) {
      this.buckets[name] = this.addBucket(name, spec);
      this.publish(parameters.bucket(name), this.buckets[name].bucketArn, `bucket ${name}`);
    }

    const used = new Set(Object.values(topology.functions).flatMap((fn) => fn.secrets));
    for (const name of [...used].sort()) {
      const secret = this.addSecret(name);
      this.secrets[name] = secret;
      this.publish(parameters.secret(name), secret.secretArn, `secret ${name}`);
    }

    if (Object.keys(topology.schedules).length) {
      this.scheduleDlq = this.encryptedQueue("schedule-dlq", {
        retentionPeriod: Duration.days(14),
      });
      const what =
        "it is the dead-letter queue of the schedules (Scheduler and Lambda's failed asynchronous runs)";
      acknowledgeDlq(this.scheduleDlq, what);
      // cdk-nag sees the other DLQs as the redrive targets they are, but not this one (no queue redrives to it).
      Validations.of(this.scheduleDlq).acknowledge({
        id: "AwsSolutions::AwsSolutions-SQS3",
        reason: `This queue needs no DLQ of its own: ${what}, alarmed when not empty.`,
      });
      new CfnOutput(this, "ScheduleDlqUrl", { value: this.scheduleDlq.queueUrl });
      this.publish(parameters.scheduleDlq, this.scheduleDlq.queueArn, "the schedule DLQ");
    }
  }

  /** An ARN for the stateless stack, which reads it at each of its deploys (see parameterNames). */
  private publish(parameterName: string, arn: string, what: string) {
    new ssm.StringParameter(this, `parameter${parameterName.replaceAll("/", "-")}`, {
      parameterName,
      stringValue: arn,
      description: `The ARN of ${what}, for the stateless stack of this stage`,
    });
  }

  private addQueue(view: QueueView) {
    const dlq = this.encryptedQueue(view.dlqName, {
      fifo: view.fifo,
      retentionPeriod: Duration.days(view.dlqRetentionDays),
    });
    acknowledgeDlq(dlq, `it is the dead-letter queue of "${view.name}" (replayed with pnpm replay)`);
    const queue = this.encryptedQueue(view.name, {
      fifo: view.fifo,
      visibilityTimeout: Duration.seconds(view.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(view.retentionDays),
      deadLetterQueue: { queue: dlq, maxReceiveCount: view.maxReceiveCount },
    });
    for (const [q, role] of [
      [queue, "source"],
      [dlq, "dlq"],
    ] as const) {
      Tags.of(q).add(resourceTags.queue, view.name);
      Tags.of(q).add(resourceTags.queueRole, role);
    }
    new CfnOutput(this, `QueueUrl${pascal(view.name)}`, { value: queue.queueUrl });
    new CfnOutput(this, `DlqUrl${pascal(view.name)}`, { value: dlq.queueUrl });
    return { view, queue, dlq };
  }

  private encryptedQueue(id: string, props: sqs.QueueProps): sqs.Queue {
    return new sqs.Queue(this, id, {
      ...props,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private addTable(name: string, spec: TableSpec): dynamodb.Table {
    const key = (attribute: string): dynamodb.Attribute => ({
      name: attribute,
      type: dynamodb.AttributeType.STRING,
    });
    const table = new dynamodb.Table(this, `table-${name}`, {
      partitionKey: key(spec.partitionKey),
      sortKey: spec.sortKey ? key(spec.sortKey) : undefined,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: spec.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of spec.indexes ?? [])
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: index.sortKey ? key(index.sortKey) : undefined,
        projectionType: dynamodb.ProjectionType.ALL,
      });
    Tags.of(table).add(resourceTags.table, name);
    new CfnOutput(this, `TableName${pascal(name)}`, { value: table.tableName });
    return table;
  }

  private addBucket(name: string, spec: BucketSpec): s3.Bucket {
    const bucket = new s3.Bucket(this, `bucket-${name}`, {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(spec.expireAfterDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: "AwsSolutions::AwsSolutions-S1",
      reason:
        "Only the connector's report function writes here (its role allows PutObject on this bucket alone) and objects expire; reads are auditable with CloudTrail data events (docs/deploy.md). A second bucket for server access logs would need the same exception.",
    });
    Tags.of(bucket).add(resourceTags.bucket, name);
    new CfnOutput(this, `BucketName${pascal(name)}`, { value: bucket.bucketName });
    return bucket;
  }

  private addSecret(name: SecretName): secretsmanager.Secret {
    // Created with a placeholder the connector rejects with a clear error until the real value is uploaded:
    // a value in the template would sit in plain text in CloudFormation.
    const secret = new secretsmanager.Secret(this, `secret-${name}`, {
      description: SECRET_DESCRIPTIONS[name],
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ placeholder: "upload the real value: see docs/deploy.md" }),
        generateStringKey: "unused",
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Tags.of(secret).add(resourceTags.secret, name);
    Validations.of(secret).acknowledge({
      id: "AwsSolutions::AwsSolutions-SMG4",
      reason:
        "Third-party credentials (BigCommerce API token, M3 ION API backend-service key) are issued by those systems; a Lambda cannot rotate them. docs/runbook.md describes the manual rotation.",
    });
    new CfnOutput(this, `SecretArn${pascal(name)}`, { value: secret.secretArn });
    return secret;
  }
}

function acknowledgeDlq(dlq: sqs.Queue, what: string) {
  Validations.of(dlq).acknowledge({
    id: "Serverless::Serverless-SQSRedrivePolicy",
    reason: `This queue needs no redrive policy of its own: ${what}, alarmed when not empty.`,
  });
}
