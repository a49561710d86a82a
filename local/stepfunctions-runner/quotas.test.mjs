// node --test: each quota check of quotas.mjs fires, and history events are
// counted as Step Functions writes them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { LIMITS, QuotaExceeded, QuotaWatch, payloadBytes } from "./quotas.mjs";

const entered = (name, type, input = {}) => ({ type: "StateEntered", state: { name, type, input } });
const exited = (name, type, output = {}) => ({ type: "StateExited", state: { name, type, output } });
const replay = (watch, events) => events.forEach((event) => watch.onEvent(event));

test("a Lambda task that succeeds writes five events, two more per retry", () => {
  const watch = new QuotaWatch();
  replay(watch, [entered("StartRuns", "Task"), exited("StartRuns", "Task")]);
  assert.equal(watch.historyEvents, 5);
  const retried = new QuotaWatch();
  replay(retried, [
    entered("StartRuns", "Task"),
    { type: "StateFailed", state: { name: "StartRuns", type: "Task" } },
    { type: "StateRetried", state: { name: "StartRuns", type: "Task" } },
    exited("StartRuns", "Task"),
  ]);
  // Entered, scheduled, started, failed, scheduled, started, succeeded, exited.
  assert.equal(retried.historyEvents, 8);
});

test("a caught task failure writes its failure, not a success", () => {
  const watch = new QuotaWatch();
  replay(watch, [
    entered("FollowRuns", "Task"),
    { type: "StateFailed", state: { name: "FollowRuns", type: "Task" } },
    { type: "StateCaught", state: { name: "FollowRuns", type: "Task" } },
    exited("FollowRuns", "Task"),
  ]);
  assert.equal(watch.historyEvents, 5);
});

test("choices, waits and passes write two events; a Fail state one; the execution two", () => {
  const watch = new QuotaWatch();
  replay(watch, [
    { type: "ExecutionStarted", input: {} },
    entered("AllDone?", "Choice"), exited("AllDone?", "Choice"),
    entered("WaitForRuns", "Wait"), exited("WaitForRuns", "Wait"),
    entered("Describe", "Pass"), exited("Describe", "Pass"),
    entered("DataSourceRunsFailed", "Fail"),
    { type: "ExecutionFailed", Error: "DataSourceRunsFailed", Cause: "{}" },
  ]);
  assert.equal(watch.historyEvents, 1 + 6 + 1 + 1);
});

test("map iterations are counted with the map", () => {
  const watch = new QuotaWatch();
  replay(watch, [
    entered("Each", "Map"),
    { type: "MapIterationStarted", index: 0 },
    { type: "MapIterationSucceeded", index: 0 },
    exited("Each", "Map"),
  ]);
  // Entered, started, two iteration events, succeeded, exited.
  assert.equal(watch.historyEvents, 6);
});

test("the 25,001st history event fails the execution", () => {
  const watch = new QuotaWatch();
  const loop = [entered("AllDone?", "Choice"), exited("AllDone?", "Choice")];
  for (let i = 0; i < 12_500; i += 1) replay(watch, loop);
  assert.equal(watch.historyEvents, LIMITS.historyEvents);
  assert.throws(() => watch.onEvent(loop[0]), (error) => error instanceof QuotaExceeded && error.name === "HistoryQuotaExceeded");
});

test("a payload over 256 KiB is a States.DataLimitExceeded, measured in UTF-8 bytes", () => {
  const watch = new QuotaWatch();
  const justBelow = { text: "é".repeat((LIMITS.payloadBytes - 20) / 2) };
  assert.ok(payloadBytes(justBelow) <= LIMITS.payloadBytes);
  watch.onEvent(exited("FollowRuns", "Task", justBelow));
  assert.equal(watch.largestPayload.where, "FollowRuns's output");
  const over = { text: "é".repeat(LIMITS.payloadBytes / 2) };
  assert.throws(() => watch.onEvent(entered("Next", "Pass", over)),
    (error) => error.name === "States.DataLimitExceeded" && /Next's input/.test(error.message));
  assert.throws(() => watch.checkPayload("StartRuns's result", over), { name: "States.DataLimitExceeded" });
});

test("a cause over 32,768 characters is a States.DataLimitExceeded", () => {
  const watch = new QuotaWatch();
  watch.checkCause("x".repeat(LIMITS.causeCharacters));
  assert.equal(watch.causeCharacters, LIMITS.causeCharacters);
  assert.throws(() => watch.onEvent({ type: "ExecutionFailed", Error: "E", Cause: "x".repeat(LIMITS.causeCharacters + 1) }),
    { name: "States.DataLimitExceeded" });
});
