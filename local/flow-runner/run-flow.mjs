// Executes the real state machine definition with aws-local-stepfunctions.
// Lambda Task states invoke the real function binaries through cargo lambda
// watch's Invoke API; SNS notifications are printed and recorded (there is no
// local SNS). Prints each data source's path and final status for a person,
// and writes a JSON report for tests.
//
// Exit code: 0 when the flow ran to its end (whatever the runs' outcomes:
// the execution succeeded, or failed in one of the definition's own Fail
// states), 1 when something in the chain broke, 2 for bad arguments.
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { StateMachine } from "aws-local-stepfunctions";
import { ACCOUNT, Deployment, REGION, parameterOverrides, resolveStateMachine } from "./template.mjs";

const { values: args } = parseArgs({
  options: {
    template: { type: "string", default: "template.yaml" },
    definition: { type: "string", default: "statemachine/ingestion.asl.json" },
    "invoke-url": { type: "string" },
    input: { type: "string", default: "{}" },
    "execution-name": { type: "string" },
    parameter: { type: "string", multiple: true, default: [] },
    // Milliseconds each Wait state takes, or "real" for the seconds the
    // state itself says (Seconds, SecondsPath).
    "wait-ms": { type: "string", default: "20" },
    "retry-ms": { type: "string", default: "50" },
    report: { type: "string" },
    quiet: { type: "boolean", default: false },
  },
});
if (!args["invoke-url"]) {
  console.error("run-flow: --invoke-url http://HOST:PORT (cargo lambda watch) is required");
  process.exit(2);
}
const say = (line) => { if (!args.quiet) console.log(line); };

const deployment = new Deployment(args.template, parameterOverrides(args.parameter, "run-flow"));
const { logicalId, definition } = resolveStateMachine(deployment, args.definition);
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

const notifications = [];
const invocations = {};

async function invokeFunction(functionName, payload) {
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
  if (response.ok) return json;
  // cargo lambda watch answers a function error with HTTP 500 and its
  // {errorType, errorMessage}; the errorType is what Retry/Catch match.
  const error = new Error(json.errorMessage ?? body);
  error.name = json.errorType ?? "Lambda.ServiceException";
  throw error;
}

const taskResourceLocalHandlers = {};
const waitTimeOverrides = {};
const retryIntervalOverrides = {};
for (const [name, state] of allStates(definition)) {
  if (state.Type === "Wait" && args["wait-ms"] !== "real") waitTimeOverrides[name] = Number(args["wait-ms"]);
  if (state.Retry) retryIntervalOverrides[name] = Number(args["retry-ms"]);
  if (state.Type !== "Task") continue;
  const lambda = /^arn:aws:lambda:[^:]+:[^:]+:function:([^:]+)$/.exec(state.Resource);
  if (lambda) {
    taskResourceLocalHandlers[name] = (input) => invokeFunction(lambda[1], input);
  } else if (state.Resource === "arn:aws:states:::sns:publish") {
    taskResourceLocalHandlers[name] = (input) => {
      notifications.push({ state: name, subject: input.Subject, message: input.Message });
      return { MessageId: `local-${notifications.length}` };
    };
  } else {
    throw new Error(`run-flow: no local handler for Task ${name} (${state.Resource})`);
  }
}

const input = JSON.parse(args.input);
const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
say(`Execution ${executionName} of ${logicalId}`);
const execution = machine.run(input, {
  overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
  context: { Execution: { Id: executionArn, Name: executionName } },
});

/** The value at a `$.a.b` path of `value`. */
const at = (value, path) => path.replace(/^\$\.?/, "").split(".").filter(Boolean).reduce((node, key) => node?.[key], value);

// Per data source (an iteration of the outer Map): the states it went through.
let stateTransitions = 0;
let sources = [];
const paths = new Map();
// Wait states as they ran: the seconds they asked for and the time they took.
const waits = [];
const entered = new Map();
// Retries of Task states, with the error that caused each.
const retries = [];
const lastFailure = new Map();
const definitionStates = Object.fromEntries([...allStates(definition)]);
const collecting = (async () => {
  for await (const event of execution.eventLogs) {
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
    if (event.index === undefined && event.state.name === "FollowRuns") {
      sources = (event.state.input?.start?.runs ?? []).map((run) => run.dataSourceId);
    }
    if (event.index !== undefined) {
      if (!paths.has(event.index)) paths.set(event.index, []);
      paths.get(event.index).push(event.state);
    }
  }
})();

let report;
try {
  const output = await execution.result;
  report = { status: "SUCCEEDED", output };
} catch (failure) {
  const cause = failure.cause ?? failure;
  report = { status: "FAILED", error: cause.name, cause: cause.message };
}
await collecting;

/** A readable path: repeated checks folded into counts, choices left out. */
function describe(states) {
  const steps = [];
  for (const state of states) {
    if (state.type === "Choice" || state.name.startsWith("Count")) continue;
    const last = steps[steps.length - 1];
    if (state.type === "Wait") {
      if (last) last.waits += 1;
    } else if (last && last.name === state.name) {
      last.times += 1;
    } else {
      steps.push({ name: state.name, times: 1, waits: 0 });
    }
  }
  return steps
    .map(({ name, times, waits }) => `${name}${times > 1 ? ` ×${times}` : ""}${waits ? ` (${waits} waits)` : ""}`)
    .join(" → ");
}

/** The per-source results: the output, or the summary a DataSourceRunsFailed cause carries. */
function resultsOf(report) {
  if (report.status === "SUCCEEDED") return report.output.dataSources ?? [];
  if (!FLOW_OUTCOME_ERRORS.has(report.error)) return [];
  try {
    return JSON.parse(report.cause).dataSources ?? [];
  } catch {
    return [];
  }
}
const results = resultsOf(report);
say("");
sources.forEach((source, index) => {
  const result = results?.find((item) => item.dataSourceId === source);
  const final = result ? `${result.status}${result.error ? ` (${result.error.name ?? result.error.errorType})` : ""}` : "?";
  say(`  ${source.padEnd(20)} ${final}`);
  say(`  ${"".padEnd(20)} ${describe(paths.get(index) ?? [])}`);
  const stats = result?.assetStatistics;
  if (stats) say(`  ${"".padEnd(20)} assets: ${stats.added} added, ${stats.updated} updated, ${stats.unchanged} unchanged, ${stats.skipped} skipped, ${stats.failed} failed`);
  for (const metadata of result?.metadataGeneration ?? []) {
    say(`  ${"".padEnd(20)} metadata for ${metadata.assetId}: ${metadata.status}${metadata.error ? ` (${metadata.error.name})` : ""}`);
  }
  if (result?.warning) say(`  ${"".padEnd(20)} warning: ${result.warning}`);
});
for (const notification of notifications) say(`  notification: ${notification.subject}`);
say("");
say(report.status === "SUCCEEDED"
  ? `Execution SUCCEEDED (${stateTransitions} state transitions)`
  : `Execution FAILED: ${report.error} (${stateTransitions} state transitions)${FLOW_OUTCOME_ERRORS.has(report.error) ? "" : `\n  ${report.cause}`}`);

report = { ...report, executionArn, stateTransitions, notifications, invocations, waits, retries };
if (args.report) writeFileSync(args.report, JSON.stringify(report, null, 2));
const ranToTheEnd = report.status === "SUCCEEDED" || FLOW_OUTCOME_ERRORS.has(report.error);
process.exit(ranToTheEnd ? 0 : 1);
