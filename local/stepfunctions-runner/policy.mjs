// IAM policy evaluation for the runner's own checks (who may publish to the
// topic, and use its key), as "Policy evaluation logic" (IAM User Guide)
// has it for one account: an explicit Deny wins, then an Allow, else an
// implicit deny. Action/NotAction and Resource/NotResource take the * and ?
// wildcards; Principal is matched for resource-based policies (key and
// topic policies). Conditions: StringEquals, StringLike, ArnEquals, ArnLike
// (and their Not forms) on the keys the caller supplies; a condition on a
// key the caller does not supply does not hold, so a statement is never
// taken as allowing more than it says.

const list = (value) => (value === undefined ? [] : [value].flat());

/** IAM's wildcards: * any characters, ? one. */
export function wildcard(pattern, value, caseSensitive = true) {
  const source = String(pattern).split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("");
  return new RegExp(`^${source}$`, caseSensitive ? "" : "i").test(value);
}

function principalMatches(principal, who) {
  if (principal === undefined) return true; // identity-based policy
  if (principal === "*" || principal?.AWS === "*") return true;
  if (who.service) return list(principal.Service).includes(who.service);
  return list(principal.AWS).includes(who.arn);
}

function conditionHolds(condition, context) {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    const negated = operator.includes("Not");
    const like = /Like$/.test(operator);
    for (const [key, expected] of Object.entries(keys)) {
      const actual = context[key.toLowerCase()];
      const matched = actual !== undefined && list(expected).some((pattern) => (like ? wildcard(pattern, actual) : pattern === actual));
      if (negated ? actual !== undefined && matched : !matched) return false;
    }
  }
  return true;
}

function applies(statement, { action, resource, who, context }) {
  const actionMatches = statement.NotAction
    ? !list(statement.NotAction).some((pattern) => wildcard(pattern, action, false))
    : list(statement.Action).some((pattern) => wildcard(pattern, action, false));
  const resourceMatches = statement.NotResource
    ? !list(statement.NotResource).some((pattern) => wildcard(pattern, resource))
    : list(statement.Resource).some((pattern) => wildcard(pattern, resource));
  return actionMatches && resourceMatches && principalMatches(statement.Principal, who) && conditionHolds(statement.Condition, context ?? {});
}

/**
 * "allow", "deny" (explicit) or "implicit" for `request` ({action,
 * resource, who: {arn?, service?}, context?}) under the
 * statements of `documents`.
 */
export function evaluate(documents, request) {
  let allowed = false;
  for (const document of documents) {
    for (const statement of list(document?.Statement)) {
      if (!applies(statement, request)) continue;
      if (statement.Effect === "Deny") return "deny";
      allowed = true;
    }
  }
  return allowed ? "allow" : "implicit";
}
