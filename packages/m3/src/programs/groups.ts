import { F } from "../fields";

/** Name and postal address, as customers, order addresses and warehouses carry them. */
export const postalAddress = {
  CUNM: F.CUNM,
  CUA1: F.CUA1,
  CUA2: F.CUA2,
  CUA3: F.CUA3,
  CUA4: F.CUA4,
  PONO: F.PONO,
  TOWN: F.TOWN,
  CSCD: F.CSCD,
  ECAR: F.ECAR,
  PHNO: F.PHNO,
};

/** One item's stock in one warehouse (MITBAL): on-hand, allocated, allocatable, reserved. */
export const warehouseBalance = {
  WHLO: F.WHLO,
  ITNO: F.ITNO,
  STQT: F.STQT,
  ALQT: F.ALQT,
  AVAL: F.AVAL,
  AV01: F.AV01,
  AV02: F.AV02,
  REQT: F.REQT,
};
