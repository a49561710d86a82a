// Reads the SAM template and resolves the state machine's DefinitionSubstitutions
// the way CloudFormation would, with local ARNs for the functions and topic.
import { readFileSync } from "node:fs";
import { parse, YAMLMap, YAMLSeq } from "yaml";

export const REGION = "us-east-1";
export const ACCOUNT = "123456789012";

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

export function readTemplate(path) {
  return parse(readFileSync(path, "utf8"), { customTags });
}

/** The local ARN a resource stands for; functions are named after their binary. */
function resourceArn(template, logicalId) {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`template: unknown resource ${logicalId}`);
  switch (resource.Type) {
    case "AWS::Serverless::Function": {
      const binary = resource.Metadata?.BuildProperties?.Binary;
      if (!binary) throw new Error(`template: ${logicalId} has no Metadata.BuildProperties.Binary`);
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${binary}`;
    }
    case "AWS::SNS::Topic":
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId}`;
    default:
      throw new Error(`template: no local ARN for ${logicalId} (${resource.Type})`);
  }
}

/** Evaluates an intrinsic function with the given parameter values. */
function evaluate(template, parameters, value) {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => evaluate(template, parameters, item));
  const [key] = Object.keys(value);
  const arg = value[key];
  switch (key) {
    case "Ref":
      if (arg in parameters) return parameters[arg];
      if (arg.startsWith("AWS::")) return { "AWS::Region": REGION, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::StackName": "local" }[arg];
      return resourceArn(template, arg);
    case "Fn::GetAtt":
      if (arg[1] !== "Arn") throw new Error(`template: GetAtt ${arg.join(".")} is not supported locally`);
      return resourceArn(template, arg[0]);
    case "Fn::If":
      return evaluate(template, parameters, condition(template, parameters, arg[0]) ? arg[1] : arg[2]);
    case "Fn::Join":
      return evaluate(template, parameters, arg[1]).flat().join(arg[0]);
    default:
      throw new Error(`template: ${key} is not supported in DefinitionSubstitutions locally`);
  }
}

function condition(template, parameters, name) {
  const test = (expr) => {
    const [key] = Object.keys(expr);
    const arg = expr[key];
    switch (key) {
      case "Fn::Equals": return String(evaluate(template, parameters, arg[0])) === String(evaluate(template, parameters, arg[1]));
      case "Fn::Not": return !test(arg[0]);
      case "Fn::And": return arg.every(test);
      case "Fn::Or": return arg.some(test);
      case "Condition": return test(template.Conditions[arg]);
      default: throw new Error(`template: condition ${key} is not supported locally`);
    }
  };
  return test(template.Conditions[name]);
}

/**
 * The state machine definition of `templatePath`, substitutions resolved.
 * `overrides` replace parameter values (the rest take their defaults).
 */
export function resolveStateMachine(templatePath, definitionPath, overrides) {
  const template = readTemplate(templatePath);
  const parameters = {};
  for (const [name, spec] of Object.entries(template.Parameters ?? {})) {
    if (name in overrides) parameters[name] = overrides[name];
    else if ("Default" in spec) parameters[name] = spec.Default;
  }
  const machines = Object.entries(template.Resources).filter(([, r]) => r.Type === "AWS::Serverless::StateMachine");
  const match = machines.find(([, r]) => definitionPath.endsWith(r.Properties.DefinitionUri));
  if (!match) throw new Error(`template: no state machine has DefinitionUri ${definitionPath}`);
  const [logicalId, machine] = match;
  const substitutions = {};
  for (const [name, value] of Object.entries(machine.Properties.DefinitionSubstitutions ?? {})) {
    const resolved = evaluate(template, parameters, value);
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
