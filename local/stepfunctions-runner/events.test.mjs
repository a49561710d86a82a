// node --test: EventBridge's pattern matching and input transformation as
// the runner applies them to the execution-ended rule of template.yaml.
import assert from "node:assert/strict";
import { test } from "node:test";
import { deliveries, executionStatusChange, matches, targetInput } from "./events.mjs";
import { Deployment } from "./template.mjs";

test("a pattern matches listed values, nested fields, and nothing else", () => {
  const pattern = { source: ["aws.states"], detail: { status: ["FAILED", "TIMED_OUT"] } };
  assert.ok(matches(pattern, { source: "aws.states", detail: { status: "TIMED_OUT", name: "x" } }));
  assert.ok(!matches(pattern, { source: "aws.states", detail: { status: "SUCCEEDED" } }));
  assert.ok(!matches(pattern, { source: "aws.datazone", detail: { status: "FAILED" } }));
  assert.ok(!matches(pattern, { source: "aws.states" }), "a missing field matches no value");
});

test("an input template with placeholders gives the text it quotes", () => {
  const target = { InputTransformer: { InputPathsMap: { s: "$.detail.status" }, InputTemplate: '"ended <s>"' } };
  assert.equal(targetInput(target, { detail: { status: "ABORTED" } }), "ended ABORTED");
  assert.deepEqual(targetInput({}, { a: 1 }), { a: 1 }, "no transformer: the event itself");
});

test("the template's rule notifies failed, timed-out and aborted executions of its state machine only", () => {
  const deployment = new Deployment("template.yaml", { DomainId: "dzd_example", DataSourceIds: "ds_example" });
  const machine = deployment.ref("IngestionStateMachine");
  const ended = (status, stateMachineArn = machine) => deliveries(deployment, executionStatusChange({
    executionArn: `${machine}:e1`.replace(":stateMachine:", ":execution:"), stateMachineArn, name: "e1", status,
    startDate: 0, stopDate: 1000, input: {},
  }));
  for (const status of ["FAILED", "TIMED_OUT", "ABORTED"]) {
    const [delivery, ...more] = ended(status);
    assert.equal(more.length, 0);
    assert.equal(delivery.rule, "ExecutionEndedRule");
    assert.match(delivery.input, new RegExp(`DataZone harvest e1 ended ${status}`));
  }
  assert.deepEqual(ended("SUCCEEDED"), []);
  assert.deepEqual(ended("FAILED", "arn:aws:states:us-east-1:123456789012:stateMachine:Other"), []);
});
