export * from "./client";
export * from "./deltas";
export * from "./errors";
export {
  canonicalDecimal,
  F,
  type Field,
  type FieldName,
  type FieldSpec,
  orderTextLine,
  UnreadableValue,
} from "./fields";
export * from "./ionapi";
export * from "./programs/crs610mi";
export * from "./programs/deliveries";
export * from "./programs/finance";
export * from "./programs/items";
export * from "./programs/metadata";
export * from "./programs/ois100mi";
export * from "./programs/prices";
export * from "./programs/returns";
export * from "./transaction";
