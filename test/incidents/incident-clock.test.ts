/**
 * Timers on incident time: the wall clock's own when followed live, the log's time during a catch-up. The wall clock
 * is a VirtualClock that moves only when the test says: a catch-up timer that fires without it moving fired on the
 * log's time.
 */
import { describe, expect, it } from "@jest/globals";
import { formatLocalIso } from "../../src/incidents/format-local-iso.js";
import { IncidentClock } from "../../src/incidents/incident-clock.js";
import { VirtualClock } from "../helpers/virtual-clock.js";

const WALL_MS = Date.parse("2026-12-07T15:00:00.000Z");
const HOUR = 3_600_000;

function logLine(ms: number): string {
  return `${formatLocalIso(ms).slice(0, 23).replace("T", " ").replace(".", ",")} - bot_central - INFO - x`;
}

function setup() {
  const wall = new VirtualClock(WALL_MS);
  const clock = new IncidentClock(wall);
  const fired: string[] = [];
  const timer = (name: string, ms: number) => clock.setTimeout(() => fired.push(name), ms);
  return { wall, clock, fired, timer };
}

describe("IncidentClock timers", () => {
  it("are the wall clock's timers when the log is followed live", async () => {
    const { wall, clock, fired, timer } = setup();
    clock.observe(logLine(WALL_MS - 48 * HOUR), "live");
    timer("a", 1000);
    expect(wall.timersDue()).toEqual([1000]);
    await wall.advance(999);
    expect(fired).toEqual([]);
    await wall.advance(1);
    expect(fired).toEqual(["a"]);
  });

  it("fire during a catch-up after every line stamped at or before their time, before any later line, the wall clock standing still", async () => {
    const { wall, clock, fired, timer } = setup();
    const t0 = WALL_MS - 48 * HOUR;
    /** What the incident stage does with a line: the timers due before it fire, then it is handled. */
    const handle = (ms: number) => {
      const logMs = clock.catchUpTimeOf(logLine(ms), "catch_up");
      if (logMs !== null) clock.fireBefore(logMs);
      clock.observe(logLine(ms), "catch_up");
    };
    handle(t0);
    timer("one second", 1000);
    timer("seven seconds", 7000);
    handle(t0 + 999);
    // A line stamped at a timer's time comes before it.
    handle(t0 + 1000);
    expect(fired).toEqual([]);
    expect(clock.catchUpTimeOf(logLine(t0 + 1000), "catch_up")).toBeNull();
    expect(clock.catchUpTimeOf(logLine(t0 + 1001), "catch_up")).toBe(t0 + 1001);
    clock.fireBefore(t0 + 1001);
    expect(fired).toEqual(["one second"]);
    expect(clock.now()).toBe(t0 + 1000);
    handle(t0 + 60_000);
    expect(fired).toEqual(["one second", "seven seconds"]);
    expect(clock.now()).toBe(t0 + 60_000);
    await wall.advance(0);
    expect(wall.pendingTimers()).toBe(0);
    expect(wall.now()).toBe(WALL_MS);
  });

  it("stand still while the catch-up's lines are on their way, then run with the wall clock from the log's last time", async () => {
    const { wall, clock, fired, timer } = setup();
    clock.observe(logLine(WALL_MS - HOUR), "catch_up");
    timer("a", 4000);
    await wall.advance(60_000);
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(WALL_MS - HOUR);
    clock.resume();
    await wall.advance(3999);
    expect(fired).toEqual([]);
    await wall.advance(1);
    expect(fired).toEqual(["a"]);
    expect(clock.now()).toBe(WALL_MS - HOUR + 4000);
  });

  it("arm the wall clock an hour at most at a time, however far a timer lies (Node's own stop at 24.8 days)", async () => {
    const { wall, clock, fired, timer } = setup();
    clock.observe(logLine(WALL_MS - 48 * HOUR), "catch_up");
    timer("in 40 hours", 40 * HOUR);
    clock.resume();
    expect(wall.timersDue()).toEqual([HOUR]);
    await wall.advance(HOUR);
    expect(fired).toEqual([]);
    expect(wall.timersDue()).toEqual([HOUR]);
    // A later line of the log, 8 hours past the timer's time.
    clock.fireBefore(clock.catchUpTimeOf(logLine(WALL_MS - 1000), "catch_up")!);
    expect(fired).toEqual(["in 40 hours"]);
  });

  it("fire at once when the catch-up reaches the present, and never once cleared", async () => {
    const { wall, clock, fired, timer } = setup();
    clock.observe(logLine(WALL_MS - 48 * HOUR), "catch_up");
    timer("pending", HOUR);
    const cleared = timer("cleared", 1000);
    clock.clearTimeout(cleared);
    clock.observe(logLine(WALL_MS - 1000), "catch_up");
    expect(clock.getLagMs()).toBe(0);
    await wall.advance(0);
    expect(fired).toEqual(["pending"]);
    // Caught up: the wall clock's timers again.
    timer("live", 1000);
    expect(wall.timersDue()).toEqual([1000]);
  });
});
