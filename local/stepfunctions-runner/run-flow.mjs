// Executes the real state machine definition with aws-local-stepfunctions.
// Lambda Task states invoke the real function binaries through cargo lambda
// watch's Invoke API; SNS notifications are recorded and printed (there is
// no local SNS), each publish authorized as SNS and KMS would (topic.mjs):
// a role or service that may not publish, or not use the topic's key, is
// refused or dropped. Step Functions' quotas hold as in AWS (quotas.mjs):
// passing one fails the execution. The execution's own TimeoutSeconds
// holds on the emulated clock (divided by the time scale, as Wait states
// are): passing it ends the execution TIMED_OUT. When the execution ends,
// its "Step Functions Execution Status Change" event goes to the
// deployment's EventBridge rules (events.mjs), and what they send to the
// topic is recorded as notifications too. A Lambda task of the callback
// pattern (`lambda:invoke.waitForTaskToken`) invokes its function with its
// task token, then waits until a function sends the token back to the
// local Step Functions endpoint (--sfn-port, callback.mjs), or its
// TimeoutSecondsPath passes on the emulated clock (States.Timeout). Prints
// the execution for a person and writes a JSON report for tests.
//
// Exit code: 0 when the flow ran to its end (whatever the runs' outcomes:
// the execution succeeded, failed in one of the definition's own Fail
// states, or timed out on its TimeoutSeconds), 1 when something broke (the
// chain, or a quota), 2 for bad arguments.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { StateMachine } from "aws-local-stepfunctions";
import { TaskTokens, startEndpoint } from "./callback.mjs";
import { deliveries, executionStatusChange } from "./events.mjs";
import { functionPrincipals } from "./iam.mjs";
import { evaluate } from "./policy.mjs";
import { QuotaExceeded, QuotaWatch } from "./quotas.mjs";
import { PublishRefused, Topics, deliveredMessages } from "./topic.mjs";
import { ACCOUNT, Deployment, REGION, parameterOverrides, resolveStateMachine } from "./template.mjs";

const { values: args } = parseArgs({
  options: {
    template: { type: "string", default: "template.yaml" },
    definition: { type: "string", default: "statemachine/ingestion.asl.json" },
    "invoke-url": { type: "string" },
    input: { type: "string", default: "{}" },
    "execution-name": { type: "string" },
    parameter: { type: "string", multiple: true, default: [] },
    // Wait states take their seconds divided by this (the local chain's
    // time scale); --wait-ms instead makes every Wait take that long.
    "time-scale": { type: "string", default: "1" },
    "wait-ms": { type: "string" },
    "retry-ms": { type: "string", default: "50" },
    report: { type: "string" },
    quiet: { type: "boolean", default: false },
    // Where the local Step Functions endpoint listens (SendTaskSuccess...):
    // the functions were started with AWS_ENDPOINT_URL_SFN pointing there.
    "sfn-host": { type: "string", default: "127.0.0.1" },
    "sfn-port": { type: "string", default: "0" },
  },
});
if (!args["invoke-url"]) {
  console.error("run-flow: --invoke-url http://HOST:PORT (cargo lambda watch) is required");
  process.exit(2);
}
const timeScale = Number(args["time-scale"]);
if (!(timeScale > 0)) {
  console.error(`run-flow: --time-scale ${args["time-scale"]} is not a number above 0`);
  process.exit(2);
}
const say = (line) => { if (!args.quiet) console.log(line); };

const deployment = new Deployment(args.template, parameterOverrides(args.parameter, "run-flow"));
const { logicalId, definition } = resolveStateMachine(deployment, args.definition);
const topics = new Topics(deployment);
const stateMachineArn = deployment.ref(logicalId);
const stateMachineRole = `${logicalId}Role`;
const executionName = args["execution-name"] ?? `local-${Date.now()}`;
const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${logicalId}:${executionName}`;

/** Every state of the definition, Map item processors included. */
function* allStates(machine) {
  for (const [name, state] of Object.entries(machine.States)) {
    yield [name, state];
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) yield* allStates(inner);
  }
}

// Failures that mean the flow ran to its end: the definition's own Fail states.
const FLOW_OUTCOME_ERRORS = new Set([...allStates(definition)]
  .filter(([, state]) => state.Type === "Fail" && state.Error)
  .map(([, state]) => state.Error));

const quotas = new QuotaWatch();
let violation = null;
let execution = null;
/** Records the first quota passed and stops the execution, as AWS fails it. */
function fail(error) {
  if (!(error instanceof QuotaExceeded)) throw error;
  violation ??= error;
  execution?.abort();
}

const notifications = [];
const invocations = {};

async function invokeFunction(state, functionName, payload) {
  invocations[functionName] = (invocations[functionName] ?? 0) + 1;
  let response;
  try {
    response = await fetch(`${args["invoke-url"]}/2015-03-31/functions/${functionName}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
    });
  } catch (cause) {
    // As Lambda's own client errors are named, so Retry can match them.
    const error = new Error(`cannot reach ${functionName} through cargo lambda watch: ${cause.message}`);
    error.name = "Lambda.SdkClientException";
    throw error;
  }
  const body = await response.text();
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    const error = new Error(`${functionName} answered non-JSON (${response.status}): ${body.slice(0, 200)}`);
    error.name = "Lambda.ServiceException";
    throw error;
  }
  if (response.ok) {
    try {
      quotas.checkPayload(`${state}'s task result`, json);
    } catch (error) {
      fail(error);
    }
    return json;
  }
  // cargo lambda watch answers a function error with HTTP 500 and its
  // {errorType, errorMessage}; the errorType is what Retry/Catch match.
  const error = new Error(json.errorMessage ?? body);
  error.name = json.errorType ?? "Lambda.ServiceException";
  throw error;
}

/** The value at a `$.a.b` path of `value`. */
const at = (value, path) => path.replace(/^\$\.?/, "").split(".").filter(Boolean).reduce((node, key) => node?.[key], value);

const definitionStates = Object.fromEntries([...allStates(definition)]);
// The last result written to each ResultPath, for the Wait states whose
// SecondsPath reads it: what the state's input holds there when it runs
// (tasks run one at a time), whichever task wrote it.
const lastResults = {};

/**
 * Milliseconds Wait state `name` takes: --wait-ms, or its seconds divided
 * by the time scale. A SecondsPath is read from the last result written to
 * the ResultPath it lies under, as the state's input holds it then.
 */
function waitMs(name) {
  if (args["wait-ms"] !== undefined) return Number(args["wait-ms"]);
  const spec = definitionStates[name];
  let seconds = spec.Seconds;
  if (seconds === undefined) {
    const resultPath = Object.values(definitionStates)
      .filter((state) => state.Type === "Task" && state.ResultPath)
      .map((state) => state.ResultPath)
      .find((path) => spec.SecondsPath.startsWith(`${path}.`));
    if (!resultPath) throw new Error(`run-flow: Wait ${name}'s SecondsPath ${spec.SecondsPath} reads no Task's result`);
    seconds = at(lastResults[resultPath], spec.SecondsPath.slice(resultPath.length));
  }
  return Math.round((Number(seconds) * 1000) / timeScale);
}

const taskResourceLocalHandlers = {};
const waitStates = [];
const retryIntervalOverrides = {};
for (const [name, state] of allStates(definition)) {
  if (state.Type === "Wait") waitStates.push(name);
  if (state.Retry) retryIntervalOverrides[name] = Number(args["retry-ms"]);
  if (state.Type !== "Task") continue;
  const lambda = /^arn:aws:lambda:[^:]+:[^:]+:function:([^:]+)$/.exec(state.Resource);
  if (lambda) {
    taskResourceLocalHandlers[name] = async (input) => {
      const result = await invokeFunction(name, lambda[1], input);
      if (state.ResultPath) lastResults[state.ResultPath] = result;
      return result;
    };
  } else if (state.Resource === "arn:aws:states:::lambda:invoke.waitForTaskToken") {
    taskResourceLocalHandlers[name] = async (input, context, stateInput) => {
      const began = Date.now();
      const token = context.Task.Token;
      const seconds = (field) => {
        const value = state[field] ?? (state[`${field}Path`] === undefined ? undefined : at(stateInput, state[`${field}Path`]));
        return value === undefined ? undefined : (Number(value) * 1000) / timeScale;
      };
      const waiting = tokens.wait(token, { state: name, timeoutMs: seconds("TimeoutSeconds"), heartbeatMs: seconds("HeartbeatSeconds") });
      // The wait may end (its timeout) before the invocation answers: it is
      // awaited below, so its rejection is handled, not a crash.
      waiting.catch(() => {});
      // An invocation that fails fails the task (waitForTaskToken invokes
      // the function as lambda:invoke does, and waits for it).
      const invoked = invokeFunction(name, String(input.FunctionName).split(":").pop(), input.Payload)
        .then(() => waiting, (error) => { tokens.fail(token, error.name, error.message); return waiting; });
      // Kept with the Wait states' waits: the seconds it could wait, what
      // it waited, and how the wait ended.
      const timeout = state.TimeoutSeconds ?? (state.TimeoutSecondsPath === undefined ? undefined : at(stateInput, state.TimeoutSecondsPath));
      const record = (ended) => waits.push({ state: name, seconds: timeout, waitedMs: Date.now() - began, ended });
      const output = await invoked.catch((error) => {
        record(error.name === "States.Timeout" ? "timeout" : "failed");
        throw error;
      });
      record("resumed");
      if (state.ResultPath) lastResults[state.ResultPath] = output;
      return output;
    };
  } else if (state.Resource === "arn:aws:states:::sns:publish") {
    taskResourceLocalHandlers[name] = (input) => {
      const refused = topics.refusal({ role: stateMachineRole }, input.TopicArn);
      if (refused) throw new PublishRefused(...refused);
      // What an SQS or Lambda subscriber receives (`message`), and an email one.
      const delivered = deliveredMessages(input);
      notifications.push({ state: name, subject: input.Subject, message: delivered.default, email: delivered.email ?? delivered.default });
      return { MessageId: `local-${notifications.length}` };
    };
  } else {
    throw new Error(`run-flow: no local handler for Task ${name} (${state.Resource})`);
  }
}
// Read when a Wait state runs: the wait it takes then.
const waitTimeOverrides = new Proxy({}, {
  get: (_, name) => (waitStates.includes(name) ? waitMs(name) : undefined),
  has: (_, name) => waitStates.includes(name),
  ownKeys: () => waitStates,
  getOwnPropertyDescriptor: (_, name) => (waitStates.includes(name)
    ? { value: waitMs(name), enumerable: true, configurable: true }
    : undefined),
});

// The local Step Functions endpoint, each caller authorized as its
// function's role: SendTask* allow no resource type but "*" (callback.mjs).
const principals = Object.fromEntries(functionPrincipals(deployment).map((principal) => [principal.accessKeyId, principal]));
const tokens = new TaskTokens();
const sfn = await startEndpoint({
  tokens,
  host: args["sfn-host"],
  port: Number(args["sfn-port"]),
  authorize: (accessKey, action, region) => {
    const principal = principals[accessKey];
    if (!principal) return ["UnrecognizedClientException", "The security token included in the request is invalid."];
    const context = region ? { "aws:requestedregion": region } : {};
    const decision = evaluate([principal.policy], { action, resource: "*", who: { arn: principal.arn }, context });
    return decision === "allow"
      ? null
      : ["AccessDeniedException", `User: ${principal.arn} is not authorized to perform: ${action} on resource: * because ${decision === "deny" ? "an explicit deny" : "no identity-based policy allows the action"}`];
  },
});

const input = JSON.parse(args.input);
// The engine would hold TimeoutSeconds in real seconds; the runner holds it
// on the emulated clock instead, as it does every Wait.
const { TimeoutSeconds: executionTimeoutSeconds, ...engineDefinition } = definition;
const machine = new StateMachine(engineDefinition, { validationOptions: { checkArn: true, checkPaths: true } });
say(`Execution ${executionName} of ${logicalId}`);
const startDate = Date.now();
execution = machine.run(input, {
  overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides, mintTaskToken: () => tokens.mint() },
  context: { Execution: { Id: executionArn, Name: executionName, StartTime: new Date(startDate).toISOString() } },
});
let timedOut = false;
const executionTimer = executionTimeoutSeconds === undefined ? undefined : setTimeout(() => {
  timedOut = true;
  execution.abort();
}, (executionTimeoutSeconds * 1000) / timeScale);

// What the execution went through: transitions, waits, retries.
let stateTransitions = 0;
const visits = {};
const waits = [];
const entered = new Map();
const retries = [];
const lastFailure = new Map();
const collecting = (async () => {
  for await (const event of execution.eventLogs) {
    try {
      quotas.onEvent(event);
    } catch (error) {
      fail(error);
    }
    const key = `${event.state?.name}#${event.index}`;
    if (event.type === "StateFailed") lastFailure.set(key, event.Error);
    if (event.type === "StateRetried") retries.push({ state: event.state.name, attempt: event.retry.attempt, error: lastFailure.get(key) });
    if (event.type === "StateExited" && event.state.type === "Wait") {
      const spec = definitionStates[event.state.name];
      const seconds = spec.Seconds ?? at(event.state.input, spec.SecondsPath);
      waits.push({ state: event.state.name, seconds, waitedMs: event.timestamp - entered.get(key) });
    }
    if (event.type !== "StateEntered") continue;
    entered.set(key, event.timestamp);
    stateTransitions += 1;
    visits[event.state.name] = (visits[event.state.name] ?? 0) + 1;
  }
})();

let report;
try {
  const output = await execution.result;
  report = { status: "SUCCEEDED", output };
} catch (failure) {
  const cause = failure.cause ?? failure;
  report = timedOut
    ? { status: "TIMED_OUT", error: "States.Timeout", cause: `the execution ran past its TimeoutSeconds (${executionTimeoutSeconds} s)` }
    : { status: "FAILED", error: cause.name, cause: cause.message };
}
clearTimeout(executionTimer);
sfn.server.close();
await collecting;
if (violation) report = { status: "FAILED", error: violation.name, cause: violation.message, quotaExceeded: true };

// The execution's end, as Step Functions sends it to EventBridge, and what
// the deployment's rules make of it: a notification on the topic, or
// nothing when the topic refuses the rule (recorded as dropped).
const statusChange = executionStatusChange({
  executionArn, stateMachineArn, name: executionName, status: report.status,
  startDate, stopDate: Date.now(), input, output: report.output, error: report.error, cause: report.cause,
});
const droppedNotifications = [];
for (const delivery of deliveries(deployment, statusChange)) {
  const refused = topics.refusal({ service: "events.amazonaws.com", sourceArn: delivery.ruleArn }, delivery.target.Arn);
  if (refused) droppedNotifications.push({ rule: delivery.rule, error: refused[0], reason: refused[1] });
  else notifications.push({ rule: delivery.rule, subject: null, message: delivery.input, email: delivery.input });
}

// A summary's non-zero counts in the report's words: each count is named
// as its outcome is (`partiallySucceeded` counts PARTIALLY_SUCCEEDED), as
// dzrun and the notification print them.
const counted = (counts, total) => Object.entries(counts)
  .filter(([key, count]) => key !== total && count > 0)
  .map(([key, count]) => `${count} ${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`)
  .join(", ");
const summary = report.status === "SUCCEEDED" ? report.output : (() => {
  try { return JSON.parse(report.cause); } catch { return null; }
})();
say("");
if (summary?.sources) {
  const { sources, metadataGeneration: assets } = summary;
  say(`  ${sources.selected} data sources: ${counted(sources, "selected")}`);
  if (assets.assets > 0) say(`  metadata generation, ${assets.assets} assets: ${counted(assets, "assets")}`);
  for (const failure of summary.failures) say(`  ${failure.dataSourceId.padEnd(20)} ${failure.outcome}${failure.error ? ` (${failure.error.name}: ${failure.error.message})` : ""}`);
  if (summary.moreFailures) say(`  … and ${summary.moreFailures} more failures`);
  say(`  full report: ${summary.report}`);
}
for (const notification of notifications) say(`  notification: ${notification.subject ?? notification.message}`);
for (const dropped of droppedNotifications) say(`  notification of rule ${dropped.rule} dropped: ${dropped.reason}`);
const rounds = Object.entries(visits).filter(([, count]) => count > 1).map(([state, count]) => `${state} ×${count}`).join(", ");
say("");
say(report.status === "SUCCEEDED"
  ? `Execution SUCCEEDED (${stateTransitions} state transitions${rounds ? `; ${rounds}` : ""})`
  : `Execution ${report.status}: ${report.error} (${stateTransitions} state transitions)${FLOW_OUTCOME_ERRORS.has(report.error) && summary?.sources ? "" : `\n  ${report.cause}`}`);

report = { ...report, executionArn, stateTransitions, visits, quotas: quotas.usage(), notifications, droppedNotifications, invocations, waits, retries, taskTokenCalls: sfn.calls };
if (args.report) writeFileSync(args.report, JSON.stringify(report, null, 2));
const ranToTheEnd = report.status === "SUCCEEDED" || report.status === "TIMED_OUT" || FLOW_OUTCOME_ERRORS.has(report.error);
process.exit(ranToTheEnd ? 0 : 1);
