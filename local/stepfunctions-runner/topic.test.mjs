// node --test: every publisher of the notification topic may publish to it
// and use its key, under each way the template can be deployed; and the
// check goes red for each way a publisher can be left out.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { Deployment } from "./template.mjs";
import { Topics, deliveredMessages } from "./topic.mjs";

const REQUIRED = { DomainId: "dzd_example", DataSourceIds: "ds_example" };

/** Each publisher's refusal (null when it may publish), by what makes it publish. */
function refusals(templatePath, parameters = {}) {
  const topics = new Topics(new Deployment(templatePath, { ...REQUIRED, ...parameters }));
  return Object.fromEntries(topics.publishers().map((p) => [p.by, topics.refusal(p.who, p.topicArn)]));
}

/** template.yaml with `from` replaced by `to`, in a scratch folder. */
function changed(from, to) {
  const text = readFileSync("template.yaml", "utf8");
  assert.ok(text.includes(from), `${from} is in template.yaml`);
  const path = join(mkdtempSync(join(tmpdir(), "topic-test-")), "template.yaml");
  writeFileSync(path, text.replace(from, to));
  return path;
}

test("the state machine, the rule and every alarm may publish to the stack's topic", () => {
  for (const parameters of [{}, { ScheduleTarget: "None" }, { ReportBucketName: "existing-reports" }]) {
    const found = refusals("template.yaml", parameters);
    assert.ok("IngestionStateMachine" in found && "ExecutionEndedRule" in found && "ExecutionsTimedOutAlarm" in found
      && "DataZoneEventsDeadLetterQueueAlarm" in found, JSON.stringify(found));
    for (const [by, refusal] of Object.entries(found)) assert.equal(refusal, null, `${by}: ${refusal}`);
  }
});

test("the AWS managed key drops the rule's and the alarms' messages", () => {
  const found = refusals(changed("KmsMasterKeyId: !Ref NotificationKey", "KmsMasterKeyId: alias/aws/sns"));
  assert.equal(found.IngestionStateMachine, null);
  assert.equal(found.ExecutionEndedRule[0], "SNS.KMSAccessDeniedException");
  assert.equal(found.ExecutionsFailedAlarm[0], "SNS.KMSAccessDeniedException");
});

test("a key policy without CloudWatch's principal refuses the alarms alone", () => {
  const found = refusals(changed("                - cloudwatch.amazonaws.com\n            Action:\n              - kms:Decrypt", "            Action:\n              - kms:Decrypt"));
  assert.equal(found.ExecutionEndedRule, null);
  assert.match(found.ExecutionsTimedOutAlarm[1], /cloudwatch\.amazonaws\.com/);
});

test("a topic policy without the rule refuses it", () => {
  const found = refusals(changed("          - Sid: ExecutionEndedRulePublishes\n            Effect: Allow", "          - Sid: ExecutionEndedRulePublishes\n            Effect: Deny"));
  assert.equal(found.ExecutionEndedRule[0], "SNS.AuthorizationErrorException");
});

test("a state machine not allowed the key cannot publish", () => {
  const found = refusals(changed("                  - kms:Decrypt\n                  - kms:GenerateDataKey*\n                Resource: !If", "                  - kms:Decrypt\n                Resource: !If"));
  assert.equal(found.IngestionStateMachine[0], "SNS.KMSAccessDeniedException");
});

test("a publish delivers each protocol its message, checked as SNS checks it", () => {
  assert.deepEqual(deliveredMessages({ Subject: "s", Message: "plain" }), { default: "plain" });
  const perProtocol = JSON.stringify({ default: "{\"a\":1}", email: "text" });
  assert.deepEqual(deliveredMessages({ Message: perProtocol, MessageStructure: "json" }), { default: "{\"a\":1}", email: "text" });
  const refused = (input) => assert.throws(() => deliveredMessages(input), { name: "SNS.InvalidParameterException" });
  refused({ Message: "{\"email\":\"text\"}", MessageStructure: "json" });
  refused({ Message: "not json", MessageStructure: "json" });
  refused({ Message: "[\"default\"]", MessageStructure: "json" });
  refused({ Message: "{\"default\":{\"a\":1}}", MessageStructure: "json" });
  refused({ Message: "x", MessageStructure: "xml" });
  refused({ Message: "" });
  refused({ Message: "x".repeat(262145) });
  refused({ Subject: "two\nlines", Message: "x" });
  refused({ Subject: "s".repeat(100), Message: "x" });
  assert.deepEqual(deliveredMessages({ Subject: "s".repeat(99), Message: "x" }), { default: "x" });
});
