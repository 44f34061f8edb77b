import type { ActionSpec } from "../../types.js";
import type { ActionHandler } from "./action-handler.js";
import { InvalidSpecError } from "../errors.js";
import { mkdirAction } from "./mkdir.js";
import { chownAction } from "./chown.js";
import { cleanupAction } from "./cleanup.js";
import { pruneAction } from "./prune.js";
import { execAction } from "./exec.js";
import { waitAction } from "./wait.js";

/** Every action type, by the `type` a rule names. */
const actionHandlers: ReadonlyMap<string, ActionHandler> = new Map(
  [mkdirAction, chownAction, cleanupAction, pruneAction, execAction, waitAction].map((handler) => [handler.type, handler]),
);

/** The handler for a spec's type; an unknown type is an invalid spec (the rule schema normally prevents it). */
export function getActionHandler(spec: ActionSpec): ActionHandler {
  const handler = actionHandlers.get(spec?.type);
  if (!handler) throw new InvalidSpecError("action", "type", [...actionHandlers.keys()].join(" | "), spec?.type);
  return handler;
}
