// EventBridge on the default bus, for the events the local chain emits
// itself: an event is matched against the deployment's rules ("Amazon
// EventBridge event patterns": every field of the pattern must match; a
// list of values matches any of them; nested objects match nested fields)
// and handed to each target, through its InputTransformer when it has one
// ("Amazon EventBridge input transformation": InputPathsMap values are
// JSON paths into the event, InputTemplate's <name> placeholders take them).
import { ACCOUNT, REGION } from "./template.mjs";

/** Whether `event` matches EventBridge `pattern` (exact values, nesting, lists). */
export function matches(pattern, event) {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event?.[field];
    if (Array.isArray(expected)) {
      return [actual].flat().some((value) => expected.some((candidate) => typeof candidate !== "object" && candidate === value));
    }
    return typeof expected === "object" && expected !== null && typeof actual === "object" && actual !== null && matches(expected, actual);
  });
}

const at = (value, path) => path.replace(/^\$\.?/, "").split(".").filter(Boolean).reduce((node, key) => node?.[key], value);

/** The input a target receives for `event`. */
export function targetInput(target, event) {
  const transformer = target.InputTransformer;
  if (!transformer) return target.Input !== undefined ? JSON.parse(target.Input) : event;
  const values = Object.fromEntries(Object.entries(transformer.InputPathsMap ?? {}).map(([name, path]) => [name, at(event, path)]));
  const text = transformer.InputTemplate.replace(/<([A-Za-z0-9_.-]+)>/g, (whole, name) => (name in values ? String(values[name] ?? "") : whole));
  // A template that is one JSON string gives that string ("Input
  // transformation" with a plain text target such as an SNS topic).
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The "Step Functions Execution Status Change" event of an ended execution. */
export function executionStatusChange({ executionArn, stateMachineArn, name, status, startDate, stopDate, input, output, error, cause }) {
  return {
    version: "0",
    id: `local-${name}-${status}`,
    "detail-type": "Step Functions Execution Status Change",
    source: "aws.states",
    account: ACCOUNT,
    time: new Date(stopDate).toISOString(),
    region: REGION,
    resources: [executionArn],
    detail: {
      executionArn, stateMachineArn, name, status, startDate, stopDate,
      input: JSON.stringify(input ?? {}),
      output: output === undefined ? null : JSON.stringify(output),
      ...(error !== undefined ? { error, cause } : {}),
    },
  };
}

/**
 * The deployment's rules that match `event`, each target with its input:
 * `[{rule, ruleArn, target, input}]`.
 */
export function deliveries(deployment, event) {
  const found = [];
  for (const [id, rule] of deployment.ofType("AWS::Events::Rule")) {
    const properties = deployment.evaluate(rule.Properties);
    if (properties.State === "DISABLED" || !properties.EventPattern || !matches(properties.EventPattern, event)) continue;
    for (const target of properties.Targets ?? []) {
      found.push({ rule: id, ruleArn: deployment.getAtt(id, "Arn"), target, input: targetInput(target, event) });
    }
  }
  return found;
}
