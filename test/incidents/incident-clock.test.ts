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

  it("fire during a catch-up once the log's lines reach their time, with the wall clock standing still", async () => {
    const { wall, clock, fired, timer } = setup();
    const t0 = WALL_MS - 48 * HOUR;
    clock.observe(logLine(t0), "catch_up");
    timer("one second", 1000);
    timer("seven seconds", 7000);
    clock.observe(logLine(t0 + 999), "catch_up");
    await wall.advance(0);
    expect(fired).toEqual([]);
    clock.observe(logLine(t0 + 1000), "catch_up");
    // Not inside observe: on the next turn of the event loop.
    expect(fired).toEqual([]);
    await wall.advance(0);
    expect(fired).toEqual(["one second"]);
    clock.observe(logLine(t0 + 60_000), "catch_up");
    await wall.advance(0);
    expect(fired).toEqual(["one second", "seven seconds"]);
    expect(wall.pendingTimers()).toBe(0);
  });

  it("fire on the wall clock's time while no line comes (a catch-up that ended in the past, a paused reader)", async () => {
    const { wall, clock, fired, timer } = setup();
    clock.observe(logLine(WALL_MS - HOUR), "catch_up");
    timer("a", 4000);
    await wall.advance(3999);
    expect(fired).toEqual([]);
    await wall.advance(1);
    expect(fired).toEqual(["a"]);
  });

  it("arm the wall clock an hour at most at a time, however far a timer lies (Node's own stop at 24.8 days)", async () => {
    const { wall, clock, fired, timer } = setup();
    clock.observe(logLine(WALL_MS - 48 * HOUR), "catch_up");
    timer("in 40 hours", 40 * HOUR);
    expect(wall.timersDue()).toEqual([HOUR]);
    await wall.advance(HOUR);
    expect(fired).toEqual([]);
    expect(wall.timersDue()).toEqual([HOUR]);
    clock.observe(logLine(WALL_MS - 1000), "catch_up");
    await wall.advance(0);
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
