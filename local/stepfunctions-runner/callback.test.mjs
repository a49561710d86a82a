// The callback pattern as the runner runs it (engine-fix.mjs and
// callback.mjs): a `.waitForTaskToken` task gets `$$.Task.Token`, waits for
// it to come back through the local Step Functions endpoint, and times out
// with States.Timeout (or States.HeartbeatTimeout) that a Catch can catch;
// the endpoint answers as the API Reference says and authorizes its caller.
import assert from "node:assert/strict";
import { test } from "node:test";
// The engine times tasks with Promise.withResolvers (Node 22); on Node 20 too.
import "./polyfill.cjs";
import { StateMachine } from "aws-local-stepfunctions";
import { TaskTokens, accessKeyOf, startEndpoint, regionOf } from "./callback.mjs";

const WAITING = {
  Type: "Task",
  Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
  Parameters: { FunctionName: "parker", Payload: { "token.$": "$$.Task.Token", "id.$": "$.id" } },
  TimeoutSecondsPath: "$.seconds",
  ResultPath: "$.woken",
  Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.timedOut", Next: "After" }],
  Next: "After",
};
const DEFINITION = { StartAt: "Wait", States: { Wait: WAITING, After: { Type: "Pass", End: true } } };

/** Runs DEFINITION; the task hands its payload to `parked`, then waits (`timeoutMs`). */
function run(tokens, { timeoutMs, heartbeatMs, parked }) {
  const machine = new StateMachine(DEFINITION, { validationOptions: { checkArn: true, checkPaths: true } });
  const handler = async (input, context) => {
    const token = context.Task.Token;
    assert.equal(input.Payload.token, token, "the token in the payload is the context's");
    const waiting = tokens.wait(token, { state: "Wait", timeoutMs, heartbeatMs });
    parked(input.Payload);
    return waiting;
  };
  return machine.run({ id: "h1", seconds: 60 }, {
    overrides: { taskResourceLocalHandlers: { Wait: handler }, mintTaskToken: () => tokens.mint() },
  }).result;
}

/** A call to the endpoint as an AWS SDK makes it (AWS JSON 1.0, signed by `key`). */
async function call(endpoint, operation, body, key = "AKIDRUNSTATUS") {
  const response = await fetch(`http://127.0.0.1:${endpoint.port}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AWSStepFunctions.${operation}`,
      ...(key ? { authorization: `AWS4-HMAC-SHA256 Credential=${key}/20261201/us-east-1/states/aws4_request, SignedHeaders=host, Signature=00` } : {}),
    },
    body: JSON.stringify(body),
  });
  const payload = await response.json();
  return { status: response.status, type: payload.__type?.split("#")[1], header: response.headers.get("x-amzn-errortype") };
}

const ALLOWED = new Set(["AKIDRUNSTATUS"]);
const authorize = (key, action) => {
  if (!["AKIDRUNSTATUS", "AKIDOTHER"].includes(key)) return ["UnrecognizedClientException", "The security token included in the request is invalid."];
  return ALLOWED.has(key) ? null : ["AccessDeniedException", `${key} is not authorized to perform: ${action} on resource: *`];
};

test("a token sent back with SendTaskSuccess ends the wait with its output", async () => {
  const tokens = new TaskTokens();
  const endpoint = await startEndpoint({ tokens, authorize });
  try {
    let token;
    const result = run(tokens, { timeoutMs: 5000, parked: (payload) => { token = payload.token; } });
    while (!token) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.deepEqual(await call(endpoint, "SendTaskHeartbeat", { taskToken: token }), { status: 200, type: undefined, header: null });
    const bad = await call(endpoint, "SendTaskSuccess", { taskToken: token, output: "not json" });
    assert.deepEqual([bad.status, bad.type, bad.header], [400, "InvalidOutput", "InvalidOutput"]);
    assert.equal((await call(endpoint, "SendTaskSuccess", { taskToken: token, output: '{"woken": ["r1"]}' })).status, 200);
    const output = await result;
    assert.deepEqual(output.woken, { woken: ["r1"] });
    assert.equal(output.timedOut, undefined);
    // The task is closed: its token answers TaskTimedOut from now on.
    assert.equal((await call(endpoint, "SendTaskSuccess", { taskToken: token, output: "{}" })).type, "TaskTimedOut");
    assert.equal((await call(endpoint, "SendTaskHeartbeat", { taskToken: token })).type, "TaskTimedOut");
    assert.equal(tokens.waiting, 0);
  } finally {
    endpoint.server.close();
  }
});

test("a wait past its timeout fails with States.Timeout, which Catch catches", async () => {
  const tokens = new TaskTokens();
  let token;
  const output = await run(tokens, { timeoutMs: 30, parked: (payload) => { token = payload.token; } });
  assert.equal(output.timedOut.Error, "States.Timeout");
  const endpoint = await startEndpoint({ tokens, authorize });
  try {
    assert.equal((await call(endpoint, "SendTaskSuccess", { taskToken: token, output: "{}" })).type, "TaskTimedOut");
  } finally {
    endpoint.server.close();
  }
});

test("a wait without a heartbeat in time fails with States.HeartbeatTimeout", async () => {
  const tokens = new TaskTokens();
  await assert.rejects(run(tokens, { timeoutMs: 5000, heartbeatMs: 30, parked: () => {} }), (error) => error.cause?.name === "States.HeartbeatTimeout");
});

test("SendTaskFailure fails the task with the error it names", async () => {
  const tokens = new TaskTokens();
  const endpoint = await startEndpoint({ tokens, authorize });
  try {
    let token;
    // The failure is taken as it comes, not left unhandled while the call goes.
    const failed = run(tokens, { timeoutMs: 5000, parked: (payload) => { token = payload.token; } }).then(() => null, (error) => error);
    while (!token) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal((await call(endpoint, "SendTaskFailure", { taskToken: token, error: "Harvest.Broken", cause: "why" })).status, 200);
    const error = await failed;
    assert.equal(error?.cause?.name, "Harvest.Broken");
    assert.equal(error.cause.message, "why");
  } finally {
    endpoint.server.close();
  }
});

test("the endpoint refuses tokens it never gave, unknown callers, and callers IAM denies", async () => {
  const tokens = new TaskTokens();
  const endpoint = await startEndpoint({ tokens, authorize });
  try {
    assert.equal((await call(endpoint, "SendTaskSuccess", { taskToken: "made-up", output: "{}" })).type, "InvalidToken");
    assert.equal((await call(endpoint, "SendTaskSuccess", { taskToken: tokens.mint(), output: "{}" })).type, "InvalidToken");
    assert.equal((await call(endpoint, "SendTaskSuccess", { taskToken: "x".repeat(3000), output: "{}" })).type, "InvalidToken");
    const denied = await call(endpoint, "SendTaskSuccess", { taskToken: tokens.mint(), output: "{}" }, "AKIDOTHER");
    assert.deepEqual([denied.status, denied.type], [400, "AccessDeniedException"]);
    const unknown = await call(endpoint, "SendTaskSuccess", { taskToken: tokens.mint(), output: "{}" }, "AKIDNOBODY");
    assert.deepEqual([unknown.status, unknown.type], [403, "UnrecognizedClientException"]);
    const unsigned = await call(endpoint, "SendTaskSuccess", {}, null);
    assert.deepEqual([unsigned.status, unsigned.type], [403, "MissingAuthenticationTokenException"]);
    assert.equal((await call(endpoint, "StartExecution", {})).type, "UnknownOperationException");
  } finally {
    endpoint.server.close();
  }
});

test("the region is read from a SigV4 Authorization header's credential scope", () => {
  assert.equal(regionOf("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261201/eu-west-1/states/aws4_request, SignedHeaders=host, Signature=abc"), "eu-west-1");
  assert.equal(regionOf("Bearer x"), null);
  assert.equal(regionOf(undefined), null);
});

test("the access key is read from a SigV4 Authorization header", () => {
  assert.equal(accessKeyOf("AWS4-HMAC-SHA256 Credential=AKIDX/20261201/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0"), "AKIDX");
  assert.equal(accessKeyOf("Basic abc"), null);
  assert.equal(accessKeyOf(undefined), null);
});
