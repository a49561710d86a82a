// The callback pattern of Task states ("Wait for a Callback with Task
// Token", Step Functions Developer Guide) for the local runner: a task whose
// Resource ends in `.waitForTaskToken` gets a task token in the context
// object (`$$.Task.Token`), passes it on, and waits until someone sends it
// back with SendTaskSuccess or SendTaskFailure, keeps it alive with
// SendTaskHeartbeat, or its TimeoutSeconds (or HeartbeatSeconds) passes,
// which fails it with `States.Timeout` (`States.HeartbeatTimeout`).
//
// `TaskTokens` keeps the tokens; `startEndpoint` serves SendTaskSuccess,
// SendTaskFailure and SendTaskHeartbeat as Step Functions' AWS JSON 1.0
// API does (`X-Amz-Target: AWSStepFunctions.<operation>`), to the real AWS
// SDKs through AWS_ENDPOINT_URL_SFN, with the errors the API Reference
// lists for them (InvalidToken, TaskTimedOut, InvalidOutput) and each
// caller authorized by IAM as Step Functions would: the Service
// Authorization Reference ("Actions, resources, and condition keys for
// AWS Step Functions") lists no resource type for the three actions, so a
// statement allows them only with `Resource: "*"`.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";

/** A task's failure, named as Retry and Catch match it. */
export class TaskFailed extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

/** SendTaskSuccess' `output` and SendTaskFailure's fields, at most ("SendTaskSuccess", "SendTaskFailure", API Reference). */
export const LIMITS = Object.freeze({ token: 2048, output: 262144, error: 256, cause: 32768 });

const TOKEN_PREFIX = "local-task-token-";

export class TaskTokens {
  /** Open tasks by token: {state, resolve, reject, heartbeatMs, heartbeatTimer}. */
  #open = new Map();
  /** Tokens of tasks that ended, whichever way. */
  #closed = new Set();

  /** A new token, for the task of `state` about to run. */
  mint() {
    return `${TOKEN_PREFIX}${randomBytes(24).toString("base64url")}`;
  }

  /** Tasks still waiting for their token. */
  get waiting() {
    return this.#open.size;
  }

  /**
   * Waits for `token` to come back: resolves with SendTaskSuccess' output,
   * rejects with SendTaskFailure's error, or with `States.Timeout` after
   * `timeoutMs`, or `States.HeartbeatTimeout` when `heartbeatMs` passes
   * without a heartbeat (either may be undefined: no limit).
   */
  wait(token, { state, timeoutMs, heartbeatMs }) {
    return new Promise((resolve, reject) => {
      const close = () => {
        clearTimeout(timer);
        clearTimeout(this.#open.get(token)?.heartbeatTimer);
        this.#open.delete(token);
        this.#closed.add(token);
      };
      const task = {
        state,
        heartbeatMs,
        resolve: (output) => { close(); resolve(output); },
        reject: (error) => { close(); reject(error); },
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(
        () => task.reject(new TaskFailed("States.Timeout", `${state} timed out waiting for its task token`)),
        timeoutMs,
      );
      this.#open.set(token, task);
      this.#beat(token);
    });
  }

  #beat(token) {
    const task = this.#open.get(token);
    if (task?.heartbeatMs === undefined) return;
    clearTimeout(task.heartbeatTimer);
    task.heartbeatTimer = setTimeout(
      () => task.reject(new TaskFailed("States.HeartbeatTimeout", `${task.state} received no heartbeat in time`)),
      task.heartbeatMs,
    );
  }

  /** The task of `token`, or the API's error for a token that has none. */
  #task(token) {
    if (typeof token !== "string" || token.length < 1 || token.length > LIMITS.token || !token.startsWith(TOKEN_PREFIX)) {
      return { error: ["InvalidToken", "The provided token is not valid."] };
    }
    const task = this.#open.get(token);
    if (task) return { task };
    if (this.#closed.has(token)) {
      return { error: ["TaskTimedOut", "The task token has either expired or the task associated with the token has already been closed."] };
    }
    return { error: ["InvalidToken", "The provided token is not valid."] };
  }

  /** SendTaskSuccess: `null`, or the error [name, message] it answers. */
  succeed(token, output) {
    const { task, error } = this.#task(token);
    if (error) return error;
    if (typeof output !== "string" || output.length > LIMITS.output) {
      return ["InvalidOutput", "The provided JSON output data is not valid."];
    }
    let parsed;
    try {
      parsed = JSON.parse(output);
    } catch {
      return ["InvalidOutput", "The provided JSON output data is not valid."];
    }
    task.resolve(parsed);
    return null;
  }

  /** SendTaskFailure: the task fails with `error` (States.TaskFailed when none). */
  fail(token, error, cause) {
    const found = this.#task(token);
    if (found.error) return found.error;
    found.task.reject(new TaskFailed(error || "States.TaskFailed", cause ?? ""));
    return null;
  }

  /** SendTaskHeartbeat: the task's HeartbeatSeconds start again. */
  heartbeat(token) {
    const { error } = this.#task(token);
    if (error) return error;
    this.#beat(token);
    return null;
  }
}

/** The access key of a SigV4 `Authorization` header, or null. */
export function accessKeyOf(authorization) {
  const match = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(authorization ?? "");
  return match ? match[1] : null;
}

/** The region a SigV4 `Authorization` header's credential scope names (`aws:RequestedRegion`), or null. */
export function regionOf(authorization) {
  const match = /^AWS4-HMAC-SHA256 Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//.exec(authorization ?? "");
  return match ? match[1] : null;
}

const OPERATIONS = {
  SendTaskSuccess: (tokens, body) => tokens.succeed(body.taskToken, body.output),
  SendTaskFailure: (tokens, body) => tokens.fail(body.taskToken, body.error, body.cause),
  SendTaskHeartbeat: (tokens, body) => tokens.heartbeat(body.taskToken),
};

/**
 * Serves the three operations on `host`:`port` (0: any free port) for
 * `tokens`; `authorize(accessKeyId, action, region)` answers null when IAM
 * allows the caller `action` (`states:SendTaskSuccess`...) on "*" in the
 * region its signature names, else
 * [errorName, message]. Resolves with the server once it listens, and
 * `calls`: every call, `{operation, status, error?}`.
 */
export async function startEndpoint({ tokens, authorize, host = "127.0.0.1", port = 0 }) {
  const calls = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => { body += chunk; });
    request.on("end", () => {
      const answer = (status, payload, error) => {
        const target = request.headers["x-amz-target"] ?? "";
        calls.push({ operation: target.replace(/^AWSStepFunctions\./, ""), status, ...(error ? { error } : {}) });
        response.writeHead(status, {
          "content-type": "application/x-amz-json-1.0",
          ...(error ? { "x-amzn-errortype": error } : {}),
        });
        response.end(JSON.stringify(payload));
      };
      const fail = (status, name, message) => answer(status, { __type: `com.amazonaws.sfn#${name}`, message }, name);
      const target = request.headers["x-amz-target"] ?? "";
      const operation = target.startsWith("AWSStepFunctions.") ? target.slice("AWSStepFunctions.".length) : null;
      if (request.method !== "POST" || !operation || !OPERATIONS[operation]) {
        return fail(400, "UnknownOperationException", `the local Step Functions endpoint serves ${Object.keys(OPERATIONS).join(", ")}`);
      }
      const accessKey = accessKeyOf(request.headers.authorization);
      if (!accessKey) return fail(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
      const refused = authorize(accessKey, `states:${operation}`, regionOf(request.headers.authorization));
      if (refused) return fail(refused[0] === "UnrecognizedClientException" ? 403 : 400, ...refused);
      let parsed;
      try {
        parsed = JSON.parse(body || "{}");
      } catch {
        return fail(400, "SerializationException", "the body is not JSON");
      }
      const error = OPERATIONS[operation](tokens, parsed);
      if (error) return fail(400, ...error);
      return answer(200, {});
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return { server, calls, port: server.address().port };
}
