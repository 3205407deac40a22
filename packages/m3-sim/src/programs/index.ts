import { CRS610MI } from "./crs610mi";
import { MWS410MI, MWS411MI } from "./deliveries";
import { ARS040MI, ARS200MI, GLS840MI, OIS350MI } from "./finance";
import { MMS005MI, MMS200MI } from "./items";
import { MNS100MI, MRS001MI } from "./metadata";
import { OIS100MI } from "./ois100mi";
import { OIS017MI, OIS320MI } from "./prices";
import { OIS390MI } from "./returns";
import type { Program } from "./types";

export const PROGRAMS: Record<string, Program> = {
  OIS100MI,
  CRS610MI,
  MMS200MI,
  MMS005MI,
  MWS410MI,
  MWS411MI,
  OIS017MI,
  OIS320MI,
  OIS350MI,
  OIS390MI,
  ARS200MI,
  ARS040MI,
  GLS840MI,
  MRS001MI,
  MNS100MI,
};
