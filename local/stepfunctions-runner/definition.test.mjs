// node --test: the state machine definition agrees with the template: each
// Lambda task waits longer than its function may run (a function timeout
// then reaches the task as Lambda.Unknown, "Handle Lambda service
// exceptions", instead of a task timeout racing it), every task has a
// timeout (Step Functions sets none for a task by default), and the
// execution's TimeoutSeconds is the one the starter checks the polls
// against (EXECUTION_TIMEOUT_SECONDS).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Deployment, resolveStateMachine } from "./template.mjs";

const deployment = new Deployment("template.yaml", { DomainId: "dzd_example", DataSourceIds: "ds_example" });
const { definition } = resolveStateMachine(deployment, "statemachine/ingestion.asl.json");
const functionTimeout = (binary) => {
  const [, fn] = deployment.ofType("AWS::Serverless::Function").find(([id]) => deployment.binary(id) === binary);
  return fn.Properties.Timeout ?? deployment.template.Globals.Function.Timeout;
};

test("every task has a timeout, and a Lambda task's is just above its function's", () => {
  const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === "Task");
  assert.ok(tasks.length >= 5);
  for (const [name, state] of tasks) {
    // A wait for a task token times out after the wait the round asked for.
    if (state.Resource.endsWith(".waitForTaskToken")) {
      assert.ok(state.TimeoutSecondsPath, `${name} waits for its token with no timeout`);
      assert.ok(state.Catch.some((rule) => rule.ErrorEquals.includes("States.Timeout")), `${name}'s timeout ends the harvest`);
      continue;
    }
    assert.ok(Number.isInteger(state.TimeoutSeconds), `${name} has no TimeoutSeconds`);
    const lambda = /:function:([^:]+)$/.exec(state.Resource);
    if (!lambda) continue;
    const timeout = functionTimeout(lambda[1]);
    assert.ok(state.TimeoutSeconds > timeout && state.TimeoutSeconds <= timeout + 30,
      `${name}: TimeoutSeconds ${state.TimeoutSeconds} against its function's ${timeout}`);
    assert.ok(state.Retry.some((retry) => retry.ErrorEquals.includes("Lambda.Unknown")), `${name} does not handle Lambda.Unknown`);
  }
});

test("the execution's timeout is the one the starter checks the polls against", () => {
  const [id] = deployment.ofType("AWS::Serverless::Function").find(([logical]) => deployment.binary(logical) === "start-runs");
  assert.equal(Number(deployment.functionEnvironment(id).EXECUTION_TIMEOUT_SECONDS), definition.TimeoutSeconds);
});
