// Reads the SAM template as CloudFormation would deploy it with some
// parameter values: short-form tags, parameters and their defaults,
// conditions, Fn::ForEach (AWS::LanguageExtensions) and the intrinsic
// functions the template uses, with local ARNs for its resources. The flow
// runner, the IAM lint and the local chain's principals all read the
// template through this one module.
import { readFileSync } from "node:fs";
import { Alias, parseDocument, visit, YAMLMap, YAMLSeq } from "yaml";

export const REGION = "us-east-1";
export const ACCOUNT = "123456789012";
export const STACK = "local";

// CloudFormation's short-form tags, turned into their long forms.
const INTRINSICS = ["Ref", "Condition", "GetAtt", "Sub", "Join", "If", "Equals", "Not", "And", "Or", "Split", "Select", "FindInMap", "Base64", "GetAZs", "ImportValue", "Cidr"];
const customTags = INTRINSICS.flatMap((name) => {
  const key = name === "Ref" || name === "Condition" ? name : `Fn::${name}`;
  const wrap = (value) => ({ [key]: name === "GetAtt" && typeof value === "string" ? value.split(".") : value });
  return [
    { tag: `!${name}`, resolve: (str) => wrap(str), identify: () => false },
    { tag: `!${name}`, collection: "seq", resolve: (seq) => wrap(seq.toJSON()), identify: () => false, nodeClass: YAMLSeq },
    { tag: `!${name}`, collection: "map", resolve: (map) => wrap(map.toJSON()), identify: () => false, nodeClass: YAMLMap },
  ];
});

/**
 * The template as plain data. An alias inside a short-form tag (`!Sub [...,
 * {Bucket: *ReportBucket}]`) is left unresolved by the YAML library, which
 * turns a tag's contents into data without the document's anchors, as
 * `{source: <anchor>}`: those are replaced here by their anchor's value.
 */
export function readTemplate(path) {
  const document = parseDocument(readFileSync(path, "utf8"), { customTags });
  const anchors = {};
  visit(document, {
    Node(_, node) {
      if (node.anchor) anchors[node.anchor] = node;
    },
  });
  const resolved = (value) => {
    const unresolved = value instanceof Alias || (value !== null && typeof value === "object" && !Array.isArray(value)
      && Object.keys(value).length === 1 && typeof value.source === "string" && value.source in anchors);
    if (unresolved) return resolved(anchors[value.source].toJS(document));
    if (Array.isArray(value)) return value.map(resolved);
    if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, resolved(entry)]));
    return value;
  };
  return resolved(document.toJS());
}

/** What `Ref: AWS::NoValue` evaluates to: removed from the list or object holding it. */
const NO_VALUE = Symbol("AWS::NoValue");

const PSEUDO = { "AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::StackName": STACK, "AWS::URLSuffix": "amazonaws.com" };

/** Replaces a Fn::ForEach identifier in keys and strings of `value`. */
function substitute(value, identifier, item) {
  const text = (string) => string
    .replaceAll(`\${${identifier}}`, item)
    .replaceAll(`&{${identifier}}`, item.replace(/[^A-Za-z0-9]/g, ""));
  if (typeof value === "string") return text(value);
  if (Array.isArray(value)) return value.map((entry) => substitute(entry, identifier, item));
  if (value === null || typeof value !== "object") return value;
  if (Object.keys(value).length === 1 && value.Ref === identifier) return item;
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [text(key), substitute(entry, identifier, item)]));
}

/** A template deployed with some parameter values. */
export class Deployment {
  /** `overrides` replace parameter values; the rest take their defaults. */
  constructor(templatePath, overrides = {}) {
    this.template = readTemplate(templatePath);
    this.parameters = {};
    for (const [name, spec] of Object.entries(this.template.Parameters ?? {})) {
      const value = name in overrides ? overrides[name] : spec.Default;
      if (value === undefined) continue;
      this.parameters[name] = spec.Type === "CommaDelimitedList" ? String(value).split(",").map((item) => item.trim()) : value;
    }
    for (const name of Object.keys(overrides)) {
      if (!(name in this.parameters)) throw new Error(`template: no parameter ${name}`);
    }
    this.resources = this.#expand(this.template.Resources);
  }

  /** Resources with Fn::ForEach blocks expanded. */
  #expand(resources) {
    const expanded = {};
    for (const [key, value] of Object.entries(resources)) {
      if (!key.startsWith("Fn::ForEach::")) {
        expanded[key] = value;
        continue;
      }
      const [identifier, collection, body] = value;
      for (const item of this.evaluate(collection)) {
        Object.assign(expanded, this.#expand(substitute(body, identifier, String(item))));
      }
    }
    return expanded;
  }

  /** Whether a resource is deployed: it has no Condition, or its Condition holds. */
  deployed(logicalId) {
    const resource = this.resources[logicalId];
    return resource !== undefined && (resource.Condition === undefined || this.condition(resource.Condition));
  }

  /** The deployed resources of `type`, as [logicalId, resource]. */
  ofType(type) {
    return Object.entries(this.resources).filter(([id, resource]) => resource.Type === type && this.deployed(id));
  }

  /** The implicit role SAM creates for a function or state machine without `Role`. */
  implicitRoleOwner(logicalId) {
    const owner = logicalId.endsWith("Role") ? this.resources[logicalId.slice(0, -4)] : undefined;
    return owner && ["AWS::Serverless::Function", "AWS::Serverless::StateMachine"].includes(owner.Type) && !owner.Properties?.Role;
  }

  roleArn(roleLogicalId) {
    return `arn:aws:iam::${ACCOUNT}:role/${STACK}-${roleLogicalId}`;
  }

  /** What Ref returns for a resource. */
  ref(logicalId) {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`template: unknown resource ${logicalId}`);
    switch (resource.Type) {
      case "AWS::Serverless::Function": return this.binary(logicalId);
      case "AWS::SNS::Topic": return `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId}`;
      case "AWS::SQS::Queue": return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${logicalId}`;
      case "AWS::Serverless::StateMachine": return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${logicalId}`;
      case "AWS::Logs::LogGroup": return this.evaluate(resource.Properties?.LogGroupName) ?? logicalId;
      case "AWS::S3::Bucket": return `${STACK}-${logicalId.toLowerCase()}`;
      case "AWS::KMS::Key": return `local-key-${logicalId}`;
      default: return logicalId;
    }
  }

  /** What Fn::GetAtt returns for a resource's attribute. */
  getAtt(logicalId, attribute) {
    if (this.implicitRoleOwner(logicalId) && attribute === "Arn") return this.roleArn(logicalId);
    if (this.generatedRule(logicalId) && attribute === "Arn") return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${STACK}-${logicalId}`;
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`template: unknown resource ${logicalId}`);
    const arns = {
      "AWS::Serverless::Function": () => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${this.binary(logicalId)}`,
      "AWS::SQS::Queue": () => `arn:aws:sqs:${REGION}:${ACCOUNT}:${logicalId}`,
      "AWS::Logs::LogGroup": () => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${this.ref(logicalId)}:*`,
      "AWS::Serverless::StateMachine": () => this.ref(logicalId),
      "AWS::SNS::Topic": () => this.ref(logicalId),
      "AWS::S3::Bucket": () => `arn:aws:s3:::${this.ref(logicalId)}`,
      "AWS::KMS::Key": () => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${this.ref(logicalId)}`,
      "AWS::Events::Rule": () => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${STACK}-${logicalId}`,
      "AWS::IAM::Role": () => this.roleArn(logicalId),
    };
    if (attribute === "Arn" && arns[resource.Type]) return arns[resource.Type]();
    if (resource.Type === "AWS::SQS::Queue" && attribute === "QueueName") return logicalId;
    if (resource.Type === "AWS::DataZone::UserProfile" && attribute === "Id") return `userprofile-${logicalId}`;
    throw new Error(`template: GetAtt ${logicalId}.${attribute} is not supported locally`);
  }

  /**
   * Whether `logicalId` is the EventBridge rule SAM generates for a
   * function's EventBridgeRule event: `<function><event>`.
   */
  generatedRule(logicalId) {
    return this.ofType("AWS::Serverless::Function").some(([id, fn]) => Object.entries(fn.Properties?.Events ?? {})
      .some(([event, spec]) => spec.Type === "EventBridgeRule" && `${id}${event}` === logicalId));
  }

  /** The binary a function runs: its Metadata.BuildProperties.Binary. */
  binary(logicalId) {
    const binary = this.resources[logicalId]?.Metadata?.BuildProperties?.Binary;
    if (!binary) throw new Error(`template: ${logicalId} has no Metadata.BuildProperties.Binary`);
    return binary;
  }

  /**
   * The environment a function runs with: the template's Globals and the
   * function's own variables, evaluated, as strings.
   */
  functionEnvironment(logicalId) {
    const variables = {
      ...this.template.Globals?.Function?.Environment?.Variables,
      ...this.resources[logicalId]?.Properties?.Environment?.Variables,
    };
    return Object.fromEntries(Object.entries(variables).map(([name, value]) => {
      const evaluated = this.evaluate(value);
      return [name, Array.isArray(evaluated) ? evaluated.join(",") : String(evaluated ?? "")];
    }));
  }

  /** Evaluates the intrinsic functions in `value`. */
  evaluate(value) {
    if (typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) return value.map((item) => this.evaluate(item)).filter((item) => item !== NO_VALUE);
    const keys = Object.keys(value);
    if (keys.length !== 1 || !(keys[0] === "Ref" || keys[0].startsWith("Fn::"))) {
      return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, this.evaluate(entry)]).filter(([, entry]) => entry !== NO_VALUE));
    }
    const [key] = keys;
    const arg = value[key];
    switch (key) {
      case "Ref":
        if (arg === "AWS::NoValue") return NO_VALUE;
        if (arg in this.parameters) return this.parameters[arg];
        if (arg in PSEUDO) return PSEUDO[arg];
        return this.ref(arg);
      case "Fn::GetAtt":
        return this.getAtt(arg[0], arg[1]);
      case "Fn::If":
        return this.evaluate(this.condition(arg[0]) ? arg[1] : arg[2]);
      case "Fn::Join":
        return this.evaluate(arg[1]).flat().join(arg[0]);
      case "Fn::Sub": {
        const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
        return text.replace(/\$\{(!?)([A-Za-z0-9_:.]+)\}/g, (whole, literal, name) => {
          if (literal) return `\${${name}}`;
          if (name in variables) return String(this.evaluate(variables[name]));
          if (name.includes(".") && !name.startsWith("AWS::")) {
            const [id, attribute] = name.split(".");
            return this.getAtt(id, attribute);
          }
          return String(this.evaluate({ Ref: name }));
        });
      }
      default:
        throw new Error(`template: ${key} is not supported locally`);
    }
  }

  condition(name) {
    const test = (expr) => {
      const [key] = Object.keys(expr);
      const arg = expr[key];
      switch (key) {
        case "Fn::Equals": return String(this.evaluate(arg[0])) === String(this.evaluate(arg[1]));
        case "Fn::Not": return !test(arg[0]);
        case "Fn::And": return arg.every(test);
        case "Fn::Or": return arg.some(test);
        case "Condition": return test(this.template.Conditions[arg]);
        default: throw new Error(`template: condition ${key} is not supported locally`);
      }
    };
    const expression = this.template.Conditions?.[name];
    if (!expression) throw new Error(`template: no condition ${name}`);
    return test(expression);
  }
}

/**
 * The state machine definition of `definitionPath` in the deployment, its
 * DefinitionSubstitutions resolved.
 */
export function resolveStateMachine(deployment, definitionPath) {
  const machines = deployment.ofType("AWS::Serverless::StateMachine");
  const match = machines.find(([, r]) => definitionPath.endsWith(r.Properties.DefinitionUri));
  if (!match) throw new Error(`template: no state machine has DefinitionUri ${definitionPath}`);
  const [logicalId, machine] = match;
  const substitutions = {};
  for (const [name, value] of Object.entries(machine.Properties.DefinitionSubstitutions ?? {})) {
    const resolved = deployment.evaluate(value);
    if (resolved === undefined) throw new Error(`template: substitution ${name} needs a value (--parameter ${name}=...)`);
    substitutions[name] = String(resolved);
  }
  let text = readFileSync(definitionPath, "utf8");
  text = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name) => {
    if (!(name in substitutions)) throw new Error(`definition: ${whole} has no DefinitionSubstitution in the template`);
    return substitutions[name];
  });
  return { logicalId, definition: JSON.parse(text), substitutions };
}

/** `--parameter NAME=VALUE` arguments as an object; exits on a malformed one. */
export function parameterOverrides(pairs, tool) {
  return Object.fromEntries(pairs.map((pair) => {
    const at = pair.indexOf("=");
    if (at < 1) { console.error(`${tool}: --parameter ${pair} is not NAME=VALUE`); process.exit(2); }
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
}
