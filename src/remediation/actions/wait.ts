import type { ActionHandler } from "./action-handler.js";

/** `wait`: does nothing this attempt; the backoff before the next one is the remedy (conditions that clear by themselves). */
export const waitAction: ActionHandler = {
  type: "wait",
  mainOption: null,
  async plan() {
    return { accion: "esperar", command: "wait", execute: async () => ({}) };
  },
};
