import { createHash, createHmac } from "node:crypto";
import { describe, expect, test } from "vitest";
import { dynamo, Sha256, secretsManager, sqs } from "../src/aws-clients";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const digestOf = async (secret: ConstructorParameters<typeof Sha256>[0], ...chunks: string[]) => {
  const hash = new Sha256(secret);
  for (const chunk of chunks) hash.update(Buffer.from(chunk));
  return hex(await hash.digest());
};

describe("request signing hashes", () => {
  test("SHA-256 and HMAC-SHA-256 equal Node's, for keys given as text, bytes or a view into a larger buffer", async () => {
    expect(await digestOf(undefined, "canonical", " request")).toBe(
      createHash("sha256").update("canonical request").digest("hex"),
    );
    const key = new Uint8Array(Array.from({ length: 32 }, (_, i) => i * 7));
    const view = new Uint8Array([9, 9, ...key, 9]).subarray(2, 34);
    for (const secret of [key, view, key.buffer, "AWS4secret"])
      expect(await digestOf(secret, "string to sign")).toBe(
        createHmac("sha256", typeof secret === "string" ? secret : Buffer.from(key))
          .update("string to sign")
          .digest("hex"),
      );
  });

  test("a key is imported once, as it was then; a plain hash can be read twice; reset starts afresh", async () => {
    const key = new Uint8Array(32).fill(1);
    const first = await digestOf(key, "x");
    key.fill(2);
    expect(await digestOf(key, "x")).toBe(first);
    const hash = new Sha256();
    hash.update(Buffer.from("a"));
    expect(hex(await hash.digest())).toBe(hex(await hash.digest()));
    hash.reset();
    expect(hex(await hash.digest())).toBe(createHash("sha256").digest("hex"));
  });

  test("every AWS client of the functions signs with it", () => {
    for (const client of [dynamo(), sqs(), secretsManager()]) expect(client.config.sha256).toBe(Sha256);
  });
});
