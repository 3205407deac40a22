import type { BigCommerceClient } from "@m3bc/bigcommerce";
import { describeError } from "@m3bc/core";
import type { M3Client } from "@m3bc/m3";
import {
  type ConnectorFiles,
  type FileOptions,
  loadConnectorFiles,
  type OperatorTarget,
  openTarget,
  type TargetSelector,
  useForAdapters,
} from "../cli";
import { bigCommerceClient, m3Client } from "../clients";

/** What operator tools look at: the target's resources, its config and, when the secrets are at hand, both APIs. */
export interface OperatorContext {
  target: OperatorTarget;
  files: ConnectorFiles;
  bigcommerce?: BigCommerceClient;
  m3?: M3Client;
  /** Why BigCommerce and M3 are not asked (the secrets could not be read). */
  unreachable?: string;
}

/**
 * Opens a target with its config and secrets, and points this process's adapters at them. Without the secrets the
 * connector's own records still tell most of the story, so they are optional; the config is a must.
 */
export async function openOperatorContext(
  selector: TargetSelector,
  values: FileOptions,
  cwd: string,
): Promise<OperatorContext> {
  const target = await openTarget(selector);
  try {
    const files = await loadConnectorFiles(values, selector, cwd);
    useForAdapters(target, files);
    return { target, files, bigcommerce: await bigCommerceClient(), m3: await m3Client() };
  } catch (error) {
    const files = await loadConnectorFiles(values, selector, cwd, []);
    useForAdapters(target, files);
    return { target, files, unreachable: describeError(error).message };
  }
}
