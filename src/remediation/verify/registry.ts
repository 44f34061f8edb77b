import type { VerifySpec } from "../../types.js";
import type { VerifyHandler } from "./verify-handler.js";
import { InvalidSpecError } from "../errors.js";
import { pathExistsVerify } from "./path-exists.js";
import { pathWritableVerify } from "./path-writable.js";
import { fileAbsentVerify } from "./file-absent.js";
import { fileMinSizeVerify } from "./file-min-size.js";
import { httpOkVerify } from "./http-ok.js";
import { httpUpVerify } from "./http-up.js";
import { diskFreeVerify } from "./disk-free.js";
import { execOkVerify } from "./exec-ok.js";

/** Every verification type, by the `type` a rule names. */
const verifyHandlers: ReadonlyMap<string, VerifyHandler> = new Map(
  [pathExistsVerify, pathWritableVerify, fileAbsentVerify, fileMinSizeVerify, httpOkVerify, httpUpVerify, diskFreeVerify, execOkVerify].map(
    (handler) => [handler.type, handler],
  ),
);

/** The handler for a spec's type; an unknown type is an invalid spec. */
export function getVerifyHandler(spec: VerifySpec): VerifyHandler {
  const handler = verifyHandlers.get(spec?.type);
  if (!handler) throw new InvalidSpecError("verify", "type", [...verifyHandlers.keys()].join(" | "), spec?.type);
  return handler;
}
