import { PersistentError } from "@m3bc/core";
import { describe, expect, test } from "vitest";
import { apiRootOf, classifyM3Error, M3BusinessError, parseIonapi, tokenUrlOf } from "../src";
import { readV1, readV2 } from "../src/wire";

const file = {
  ti: "ACME_TST",
  cn: "Connector",
  dt: "12",
  ci: "ACME_TST~abc",
  cs: "secret",
  iu: "https://mingle-ionapi.inforcloudsuite.com/",
  pu: "https://mingle-sso.inforcloudsuite.com:443/ACME_TST/as",
  oa: "authorization.oauth2",
  ot: "/token.oauth2",
  or: "revoke_token.oauth2",
  ev: "U1",
  v: "1.0",
  saak: "ACME_TST#xyz",
  sask: "key",
};

describe(".ionapi credentials", () => {
  test("a downloaded file gives the token URL (pu + ot) and the API root ({iu}/{ti}/M3/m3api-rest)", () => {
    const credentials = parseIonapi(JSON.stringify(file));
    expect(credentials).toMatchObject({
      ti: "ACME_TST",
      ci: "ACME_TST~abc",
      saak: "ACME_TST#xyz",
      or: "revoke_token.oauth2",
    });
    expect(tokenUrlOf(credentials)).toBe(
      "https://mingle-sso.inforcloudsuite.com:443/ACME_TST/as/token.oauth2",
    );
    expect(apiRootOf(credentials)).toBe("https://mingle-ionapi.inforcloudsuite.com/ACME_TST/M3/m3api-rest");
  });

  test("every missing or malformed key is named, with its meaning", () => {
    const { saak, sask, ...partial } = file;
    const attempt = () => parseIonapi({ ...partial, iu: "not a url", cs: " " });
    expect(attempt).toThrow(PersistentError);
    expect(attempt).toThrow(
      "The .ionapi credentials are unusable: cs (client secret) is missing or empty; saak (service account access key) is missing or empty; sask (service account secret key) is missing or empty; iu (ION API base URL) is not a URL",
    );
    try {
      attempt();
    } catch (error) {
      expect((error as PersistentError).reason).toBe("AUTH_FAILED");
    }
  });

  test("text that is not a JSON object is refused", () => {
    expect(() => parseIonapi("{oops")).toThrow(/not JSON/);
    expect(() => parseIonapi("[1]")).toThrow("must be a JSON object");
  });
});

describe("v2 answers", () => {
  test("results in order; a failed one carries errorMessage and, when present, errorCode/errorField", () => {
    const outcomes = readV2(
      {
        results: [
          { transaction: "Get", records: [{ ITNO: "A " }] },
          {
            transaction: "Get",
            errorMessage: "Record does not exist      ",
            errorCode: "XRE0103",
            errorField: "ITNO ",
          },
          { transaction: "AddBatchAddress", errorMessage: "  " },
          { transaction: "Confirm", errorMessage: "Something went wrong" },
        ],
        wasTerminated: false,
        nrOfSuccessfullTransactions: 2,
        nrOfFailedTransactions: 2,
      },
      {},
    );
    expect(outcomes).toEqual([
      { ok: true, transaction: "Get", records: [{ ITNO: "A " }] },
      {
        ok: false,
        transaction: "Get",
        code: "XRE0103",
        field: "ITNO",
        message: "Record does not exist      ",
      },
      { ok: true, transaction: "AddBatchAddress", records: [] },
      { ok: false, transaction: "Confirm", code: "", field: "", message: "Something went wrong" },
    ]);
  });

  test("an answer without results is a protocol error", () => {
    expect(() => readV2({ error: "Bad gateway" }, { program: "MMS200MI" })).toThrow(
      "M3 v2 answer has no results list",
    );
  });
});

describe("v1 answers", () => {
  test("MIRecord/NameValue rows become flat records; an empty write answer is no records", () => {
    const body = {
      Program: "CUSEXTMI",
      Transaction: "LstFieldValue",
      Metadata: { Field: [] },
      MIRecord: [
        {
          RowIndex: 0,
          NameValue: [
            { Name: "FILE", Value: "CPSTAKVIM" },
            { Name: "N096", Value: "1.000000" },
          ],
        },
      ],
    };
    expect(readV1(body, "LstFieldValue", {})).toEqual({
      ok: true,
      transaction: "LstFieldValue",
      records: [{ FILE: "CPSTAKVIM", N096: "1.000000" }],
    });
    expect(readV1({ MIRecord: [{ NameValue: [], RowIndex: 0 }] }, "ChgBasicData", {})).toEqual({
      ok: true,
      transaction: "ChgBasicData",
      records: [],
    });
  });

  test("ServerReturnedNOK, bare or wrapped in ErrorMessage, keeps code, field and message", () => {
    const nok = {
      "@type": "ServerReturnedNOK",
      "@code": "XRE0103",
      "@cfg": "  ",
      "@field": "",
      Message: "Record does not exist",
    };
    const expected = {
      ok: false,
      transaction: "Get",
      code: "XRE0103",
      field: "",
      message: "Record does not exist",
    };
    expect(readV1(nok, "Get", {})).toEqual(expected);
    expect(readV1({ ErrorMessage: nok }, "Get", {})).toEqual(expected);
    expect(() => readV1("<html>", "Get", {})).toThrow("neither MIRecord nor ServerReturnedNOK");
  });
});

describe("business errors", () => {
  test.each([
    ["XRE0103", "Record does not exist", "notFound"],
    ["WIT0103", "Item number X does not exist", "notFound"],
    ["", "Customer number 123 does not exist", "notFound"],
    ["XRE0104", "The record already exists", "alreadyExists"],
    ["WEQ1B04", "Equipment no 1 already exists", "alreadyExists"],
    ["XAU0008", "Not authorized for company 0", "notAuthorized"],
    ["XIM0002", "Customer number is invalid", "invalid"],
  ] as const)("%s %s → %s", (code, message, kind) => {
    expect(classifyM3Error(code, message)).toBe(kind);
  });

  test("keep program, transaction, code, field and M3's message with its padding removed", () => {
    const error = new M3BusinessError({
      program: "CRS610MI",
      transaction: "Add",
      code: "XRE0104",
      field: "CUNO",
      message: "The record   already exists      ",
    });
    expect(error).toBeInstanceOf(PersistentError);
    expect(error).toMatchObject({
      reason: "M3_REJECTED",
      code: "XRE0104",
      field: "CUNO",
      m3Message: "The record already exists",
      kind: "alreadyExists",
    });
    expect(error.message).toBe("CRS610MI/Add: The record already exists (code XRE0104, field CUNO)");
    expect(error.details).toEqual({
      program: "CRS610MI",
      transaction: "Add",
      code: "XRE0104",
      field: "CUNO",
      m3Message: "The record already exists",
    });
  });
});
