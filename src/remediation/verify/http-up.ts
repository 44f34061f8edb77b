import type { VerifyHandler } from "./verify-handler.js";
import { readFilledString, readTimeoutMs } from "../spec-options.js";
import { fillTemplate } from "../../util/template.js";
import { isServerUp } from "../../util/is-server-up.js";
import { checkHttpStatus, DEFAULT_HTTP_TIMEOUT_MS, parseHttpUrl } from "./http-ok.js";
import { redactUrl } from "../../util/redact-url.js";

/**
 * `http_up {url, health_url?, timeout?}`: the server answers HTTP at all — any status below 500, as a bare
 * telegram-bot-api answers 404 on `/` — or, when `health_url` is set (non-empty once filled), that URL answers
 * 2xx/3xx. The same judgement as the `bot_api` check, so a rule's verify and the check agree on "up".
 */
export const httpUpVerify: VerifyHandler = {
  type: "http_up",
  async plan(spec, fields, ctx) {
    const rawHealth = typeof spec.health_url === "string" ? fillTemplate(spec.health_url, fields) : "";
    const isHealth = rawHealth !== "";
    const url = isHealth ? parseHttpUrl("http_up", "health_url", rawHealth) : parseHttpUrl("http_up", "url", readFilledString(spec, "url", fields));
    const timeoutMs = readTimeoutMs(spec, DEFAULT_HTTP_TIMEOUT_MS);
    return {
      descripcion: isHealth ? `GET ${redactUrl(url)} → 2xx/3xx` : `GET ${redactUrl(url)} → responde HTTP`,
      description: isHealth ? `GET ${redactUrl(url)} → 2xx/3xx` : `GET ${redactUrl(url)} → any HTTP answer`,
      readOnly: true,
      check: () => checkHttpStatus(url, timeoutMs, ctx.signal, (status) => isServerUp(status, isHealth)),
    };
  },
};
