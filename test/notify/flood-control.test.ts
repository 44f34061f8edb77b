import { describe, expect, it } from "@jest/globals";
import { FloodGate } from "../../src/notify/flood-gate.js";
import { DigestCollector, formatDigest } from "../../src/notify/digest.js";
import { SerialQueue, type QueueItem } from "../../src/notify/serial-queue.js";
import { advance, makeIncident } from "../helpers/make-incident.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

describe("FloodGate", () => {
  it("allows maxPerWindow new messages per sliding window", () => {
    const clock = new VirtualClock();
    const gate = new FloodGate({ maxPerWindow: 3, windowMs: 60_000, repeatWindowMs: 0, clock });
    expect(["a", "b", "c", "d"].map((k) => gate.admit(k))).toEqual(["allow", "allow", "allow", "rate_limited"]);
    clock.jump(59_999);
    expect(gate.admit("e")).toBe("rate_limited");
    clock.jump(1); // the first three leave the window
    expect(gate.admit("e")).toBe("allow");
  });

  it("sends a repeated key to the digest within repeatWindowMs", () => {
    const clock = new VirtualClock();
    const gate = new FloodGate({ maxPerWindow: 100, windowMs: 60_000, repeatWindowMs: 300_000, clock });
    expect(gate.admit("timeout:x")).toBe("allow");
    clock.jump(299_999);
    expect(gate.admit("timeout:x")).toBe("repeat");
    clock.jump(1);
    expect(gate.admit("timeout:x")).toBe("allow");
  });

  it("counts messages that bypass it (digests, groups)", () => {
    const gate = new FloodGate({ maxPerWindow: 1, windowMs: 1000, repeatWindowMs: 0, clock: new VirtualClock() });
    gate.record();
    expect(gate.admit("a")).toBe("rate_limited");
  });
});

describe("digest", () => {
  it("counts per error_type with current states: '12 × timeout en los últimos 5 min: 3 solucionados, 9 pendientes'", () => {
    const digest = new DigestCollector();
    const incidents = Array.from({ length: 12 }, () => makeIncident({ error_type: "timeout" }));
    incidents.forEach((i) => digest.add(i));
    digest.add(makeIncident({ error_type: "permisos", severidad: "critical" }));
    for (const i of incidents.slice(0, 3)) expect(digest.update(advance(i, "solucionado"))).toBe(true);
    expect(digest.update(makeIncident())).toBe(false);
    expect(formatDigest(digest.take(), 300_000)).toBe(
      [
        "📦 <b>alertas agrupadas</b> (límite de mensajes o claves repetidas)",
        "12 × timeout en los últimos 5 min: 3 solucionados, 9 pendientes",
        "🚨 1 × permisos en los últimos 5 min: 1 pendiente",
      ].join("\n"),
    );
    expect(digest.size).toBe(0);
  });

  it("stays under 4096 characters with many types", () => {
    const digest = new DigestCollector();
    for (let t = 0; t < 300; t++) digest.add(makeIncident({ error_type: `tipo_${"x".repeat(60)}_${t}` }));
    const html = formatDigest(digest.take(), 60_000);
    expect(html.length).toBeLessThanOrEqual(4096);
    expect(html).toMatch(/… y \d+ tipos más$/);
  });
});

interface Item extends QueueItem {
  n: number;
}

describe("SerialQueue", () => {
  it("delivers in order, one at a time, and coalesces waiting items of one key", async () => {
    const seen: string[] = [];
    let active = 0;
    let maxActive = 0;
    const q = new SerialQueue<Item>({
      limit: 10,
      process: async (item) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 2));
        seen.push(`${item.key}=${item.n}`);
        active--;
      },
      onDrop: () => undefined,
    });
    q.push({ key: "a", coalesce: true, critical: false, n: 1 }); // starts at once
    q.push({ key: "b", coalesce: true, critical: false, n: 1 });
    q.push({ key: "b", coalesce: true, critical: false, n: 2 }); // replaces b=1 while waiting
    q.push({ key: "c", coalesce: false, critical: false, n: 1 });
    await q.idle();
    expect(seen).toEqual(["a=1", "b=2", "c=1"]);
    expect(maxActive).toBe(1);
  });

  it("drops the oldest non-critical item when full and reports it", async () => {
    const dropped: string[] = [];
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const q = new SerialQueue<Item>({
      limit: 2,
      process: async (item) => {
        await gate;
        seen.push(item.key);
      },
      onDrop: (item, reason) => dropped.push(`${item.key}:${reason}`),
    });
    q.push({ key: "busy", coalesce: false, critical: false, n: 0 });
    await new Promise((r) => setImmediate(r)); // the worker starts on a later turn: now "busy" is in flight, not counted
    q.push({ key: "crit", coalesce: false, critical: true, n: 0 });
    q.push({ key: "old", coalesce: false, critical: false, n: 0 });
    q.push({ key: "new", coalesce: false, critical: false, n: 0 });
    expect(dropped).toEqual(["old:overflow"]);
    release();
    await q.idle();
    expect(seen).toEqual(["busy", "crit", "new"]);
  });

  it("abort drops what waits and reports it as shutdown", async () => {
    const dropped: string[] = [];
    const q = new SerialQueue<Item>({
      limit: 5,
      process: (_item, signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))),
      onDrop: (item, reason) => dropped.push(`${item.key}:${reason}`),
    });
    q.push({ key: "a", coalesce: false, critical: false, n: 0 });
    await new Promise((r) => setImmediate(r)); // "a" in flight
    q.push({ key: "b", coalesce: false, critical: false, n: 0 });
    q.abort();
    await q.idle();
    expect(dropped).toEqual(["b:shutdown"]);
    expect(q.length).toBe(0);
  });
});
