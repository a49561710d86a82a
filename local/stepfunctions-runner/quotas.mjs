// Step Functions' quotas on one Standard execution, enforced as AWS would:
// a state's input or output, or a task's result, over 256 KiB fails the
// execution with States.DataLimitExceeded, which no Catch can catch
// ("Handling errors in Step Functions workflows"); so does a Fail state's
// cause over 32,768 characters ("Step Functions service quotas"). An
// execution's history holds at most 25,000 events, and an execution that
// would need more fails ("Avoid reaching the history quota"); AWS does not
// document the error it reports then, so the runner names it
// HistoryQuotaExceeded.
//
// History events are counted as Step Functions writes them (the event
// types of "HistoryEvent", Step Functions API Reference): one when a state
// is entered and one when it is exited (a Fail state is only entered);
// for a Task, each attempt is scheduled, started and succeeds or fails;
// a Map is started and succeeds, and each iteration starts and succeeds;
// the execution starts and ends.

export const LIMITS = Object.freeze({
  historyEvents: 25_000,
  payloadBytes: 256 * 1024,
  causeCharacters: 32_768,
});

/** Size of a payload as Step Functions measures it: its JSON text, in UTF-8 bytes. */
export function payloadBytes(value) {
  return Buffer.byteLength(JSON.stringify(value ?? null), "utf8");
}

/** A quota passed: the execution fails with `error`. */
export class QuotaExceeded extends Error {
  constructor(error, cause) {
    super(cause);
    this.name = error;
  }
}

/**
 * Watches one execution's events (aws-local-stepfunctions' eventLogs) and
 * task results; `check*` throw a QuotaExceeded when a limit is passed.
 */
export class QuotaWatch {
  constructor(limits = LIMITS) {
    this.limits = limits;
    this.historyEvents = 0;
    this.largestPayload = { bytes: 0, where: null };
    this.causeCharacters = 0;
    // States whose failure a Catch took: their exit follows a failed attempt.
    this.caught = new Set();
  }

  #count(events) {
    this.historyEvents += events;
    if (this.historyEvents > this.limits.historyEvents) {
      throw new QuotaExceeded("HistoryQuotaExceeded",
        `the execution's history passed ${this.limits.historyEvents} events`);
    }
  }

  /** A state's input, output or task result, measured. */
  checkPayload(where, value) {
    const bytes = payloadBytes(value);
    if (bytes > this.largestPayload.bytes) this.largestPayload = { bytes, where };
    if (bytes > this.limits.payloadBytes) {
      throw new QuotaExceeded("States.DataLimitExceeded",
        `${where} is ${bytes} bytes, over the ${this.limits.payloadBytes}-byte payload quota`);
    }
  }

  /** The cause a Fail state or a failed execution reports. */
  checkCause(cause) {
    this.causeCharacters = [...(cause ?? "")].length;
    if (this.causeCharacters > this.limits.causeCharacters) {
      throw new QuotaExceeded("States.DataLimitExceeded",
        `the cause is ${this.causeCharacters} characters, over the ${this.limits.causeCharacters}-character quota`);
    }
  }

  /** One event of aws-local-stepfunctions' eventLogs. */
  onEvent(event) {
    const type = event.state?.type;
    switch (event.type) {
      case "ExecutionStarted":
        this.checkPayload("the execution's input", event.input);
        this.#count(1);
        break;
      case "ExecutionSucceeded":
        this.checkPayload("the execution's output", event.output);
        this.#count(1);
        break;
      case "ExecutionFailed":
        this.checkCause(event.Cause);
        this.#count(1);
        break;
      case "ExecutionAborted":
      case "ExecutionTimeout":
        this.#count(1);
        break;
      case "StateEntered":
        this.checkPayload(`${event.state.name}'s input`, event.state.input);
        // Entered; a Task's first attempt scheduled and started; a Map started.
        this.#count(1 + (type === "Task" ? 2 : 0) + (type === "Map" ? 1 : 0));
        break;
      case "StateRetried":
        this.#count(2); // the new attempt, scheduled and started
        break;
      case "StateFailed":
        if (type === "Task") this.#count(1); // the attempt failed
        break;
      case "StateCaught":
        this.caught.add(`${event.state.name}#${event.index}`);
        break;
      case "StateExited": {
        this.checkPayload(`${event.state.name}'s output`, event.state.output);
        if (type === "Fail") break; // a Fail state ends the execution instead
        // Exited; a Task's attempt succeeded (unless its failure was
        // caught: that attempt's failure is already counted); a Map succeeded.
        const key = `${event.state.name}#${event.index}`;
        const succeeded = (type === "Task" && !this.caught.delete(key)) || type === "Map";
        this.#count(1 + (succeeded ? 1 : 0));
        break;
      }
      case "MapIterationStarted":
      case "MapIterationSucceeded":
      case "MapIterationFailed":
        this.#count(1);
        break;
      default:
        break;
    }
  }

  /** What the execution used, each beside its quota. */
  usage() {
    return {
      historyEvents: this.historyEvents,
      largestPayloadBytes: this.largestPayload.bytes,
      largestPayloadAt: this.largestPayload.where,
      causeCharacters: this.causeCharacters,
      limits: this.limits,
    };
  }
}
