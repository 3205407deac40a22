import { financePostingDeps, sqsHandler } from "@m3bc/aws";
import { parsePayload } from "@m3bc/core";
import { PostingRequest, postPayments } from "@m3bc/flows";

export const handler = sqsHandler("finance-post", async (message, { leaseUntil }) =>
  postPayments(
    parsePayload(PostingRequest, message.payload, "posting request"),
    await financePostingDeps("finance-post", message, leaseUntil),
  ),
);
