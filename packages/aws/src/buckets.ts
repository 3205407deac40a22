import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { ReportStore } from "@m3bc/flows";
import { awsClientOptions } from "./aws-clients";
import { bucketName, perRuntime } from "./runtime";

const s3 = perRuntime(() => new S3Client(awsClientOptions));

/**
 * Objects in one of the topology's buckets: S3 in the cloud; on a laptop, files in BUCKETS_DIR/<bucket>/ (the
 * local runtime sets it), as secrets come from SECRETS_FILE there. The key is the path below the bucket.
 */
export function bucketStore(bucket: string): ReportStore {
  return {
    async put(key, body, contentType) {
      const name = bucketName(bucket);
      const dir = process.env.BUCKETS_DIR;
      if (dir) {
        const file = join(dir, name, key);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, body);
        return;
      }
      await s3().send(
        new PutObjectCommand({
          Bucket: name,
          Key: key,
          Body: body,
          ContentType: `${contentType}; charset=utf-8`,
        }),
      );
    },
  };
}
