// The deployment's notification topic, as SNS and KMS decide who may
// publish to it. A publisher needs sns:Publish on the topic (its identity
// policy, for a role of the account; the topic's policy, for an AWS
// service), and, when the topic is encrypted with a KMS key, the use of
// that key: kms:GenerateDataKey* and kms:Decrypt ("Configuring AWS KMS
// permissions", Amazon SNS Developer Guide). An AWS service such as
// EventBridge or CloudWatch alarms can use only a customer managed key
// whose policy names its service principal; the AWS managed alias/aws/sns
// admits none, and their messages are dropped ("Enable compatibility
// between event sources from AWS services and encrypted topics").
import { ACCOUNT, REGION } from "./template.mjs";
import { policyDocuments } from "./iam.mjs";
import { evaluate } from "./policy.mjs";

const KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"];
const ACCOUNT_ROOT = `arn:aws:iam::${ACCOUNT}:root`;

/** A publish refused, named as Step Functions' SNS integration names it. */
export class PublishRefused extends Error {
  constructor(error, message) {
    super(message);
    this.name = error;
  }
}

export class Topics {
  constructor(deployment) {
    this.deployment = deployment;
    this.documents = policyDocuments(deployment);
    this.topics = new Map();
    for (const [id, topic] of deployment.ofType("AWS::SNS::Topic")) {
      this.topics.set(deployment.ref(id), { id, key: deployment.evaluate(topic.Properties?.KmsMasterKeyId) });
    }
    // A topic names its key by id (Ref), ARN or alias.
    this.keys = new Map();
    for (const [id, key] of deployment.ofType("AWS::KMS::Key")) {
      const entry = { arn: deployment.getAtt(id, "Arn"), policy: deployment.evaluate(key.Properties.KeyPolicy) };
      this.keys.set(entry.arn, entry).set(deployment.ref(id), entry);
    }
    this.topicPolicies = deployment.ofType("AWS::SNS::TopicPolicy").map(([, policy]) => deployment.evaluate(policy.Properties));
  }

  /**
   * Why `who` may not publish to `topicArn` (null when it may): `who` is
   * {role: logical id} for a role of the stack, or {service, sourceArn}.
   */
  refusal(who, topicArn) {
    const topic = this.topics.get(topicArn);
    if (!topic) return null; // a topic outside the stack: its policies are not known here
    const context = { "aws:sourcearn": who.sourceArn, "aws:sourceaccount": ACCOUNT };
    if (who.role) {
      const roleArn = this.deployment.roleArn(who.role);
      const identity = this.documents.filter((entry) => entry.role === who.role).map((entry) => entry.document);
      const request = (action, resource) => ({ action, resource, who: { arn: roleArn }, context });
      if (evaluate(identity, request("sns:Publish", topicArn)) !== "allow") {
        return ["SNS.AuthorizationErrorException", `${roleArn} is not authorized to perform: sns:Publish on resource: ${topicArn}`];
      }
      // No key, or the AWS managed key, which admits the account's
      // principals through SNS.
      const key = this.keys.get(topic.key);
      if (!key) return null;
      for (const action of KEY_ACTIONS) {
        const byIdentity = evaluate(identity, request(action, key.arn));
        // The account in a key policy does not grant the key to the
        // account's roles: it lets their IAM policies do so.
        const byKey = evaluate([key.policy], request(action, key.arn));
        if (byKey === "deny" || byIdentity === "deny" || (byKey !== "allow" && !(byIdentity === "allow" && this.#delegatesToIam(key)))) {
          return ["SNS.KMSAccessDeniedException", `${roleArn} may not use ${key.arn} (${action}) to publish to ${topicArn}`];
        }
      }
      return null;
    }
    const publish = { action: "sns:Publish", resource: topicArn, who: { service: who.service }, context };
    if (evaluate(this.topicPolicies.filter((p) => p.Topics.includes(topicArn)).map((p) => p.PolicyDocument), publish) !== "allow") {
      return ["SNS.AuthorizationErrorException", `the topic's policy does not let ${who.service} publish to ${topicArn}`];
    }
    if (!topic.key) return null;
    const key = this.keys.get(topic.key);
    if (!key) return ["SNS.KMSAccessDeniedException", `${topicArn} is encrypted with the AWS managed key ${topic.key}, which ${who.service} cannot use`];
    for (const action of KEY_ACTIONS) {
      if (evaluate([key.policy], { action, resource: key.arn, who: { service: who.service }, context }) !== "allow") {
        return ["SNS.KMSAccessDeniedException", `${key.arn}'s policy does not let ${who.service} use it (${action})`];
      }
    }
    return null;
  }

  /** Whether the key's policy lets the account's IAM policies grant its use ("Default key policy", AWS KMS Developer Guide). */
  #delegatesToIam(key) {
    return evaluate([key.policy], { action: "kms:Decrypt", resource: key.arn, who: { arn: ACCOUNT_ROOT } }) === "allow";
  }

  /**
   * Everyone the deployment makes publish to a topic of its own: the state
   * machine's role for its sns:publish tasks, each EventBridge rule with the
   * topic as a target, each alarm with it as an action. `[{who, topicArn, by}]`.
   */
  publishers() {
    const found = [];
    for (const [id] of this.deployment.ofType("AWS::Serverless::StateMachine")) {
      for (const entry of this.documents.filter((d) => d.resource === id)) {
        for (const statement of [entry.document.Statement].flat()) {
          if ([statement.Action].flat().includes("sns:Publish")) {
            for (const topicArn of [statement.Resource].flat()) found.push({ who: { role: entry.role }, topicArn, by: id });
          }
        }
      }
    }
    for (const [id, rule] of this.deployment.ofType("AWS::Events::Rule")) {
      for (const target of this.deployment.evaluate(rule.Properties.Targets ?? [])) {
        if (this.topics.has(target.Arn)) {
          found.push({ who: { service: "events.amazonaws.com", sourceArn: this.deployment.getAtt(id, "Arn") }, topicArn: target.Arn, by: id });
        }
      }
    }
    for (const [id, alarm] of this.deployment.ofType("AWS::CloudWatch::Alarm")) {
      for (const action of this.deployment.evaluate(alarm.Properties.AlarmActions ?? [])) {
        if (this.topics.has(action)) {
          found.push({ who: { service: "cloudwatch.amazonaws.com", sourceArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${id}` }, topicArn: action, by: id });
        }
      }
    }
    return found;
  }
}

/** SNS's largest message: 256 KiB ("Publish", Amazon SNS API Reference). */
const MAX_MESSAGE_BYTES = 262144;

/**
 * What each protocol's subscribers receive from a Publish with `input`'s
 * parameters, checked as SNS checks them ("Publish", Amazon SNS API
 * Reference): a subject of fewer than 100 characters with no line breaks
 * or control characters; a message of at most 256 KiB; with
 * MessageStructure `json`, a JSON object whose `default` is a string (used
 * for every protocol it does not name) and whose other keys name the
 * message of one protocol each. Refused as InvalidParameter otherwise.
 */
export function deliveredMessages(input) {
  const invalid = (why) => new PublishRefused("SNS.InvalidParameterException", `Invalid parameter: ${why}`);
  const subject = input.Subject;
  if (subject !== undefined) {
    // eslint-disable-next-line no-control-regex
    if (typeof subject !== "string" || subject.length === 0 || subject.length >= 100 || /[\u0000-\u001f\u007f]/.test(subject)) {
      throw invalid("Subject: must be fewer than 100 characters, with no line breaks or control characters");
    }
  }
  if (typeof input.Message !== "string" || input.Message.length === 0) throw invalid("Message: required");
  if (Buffer.byteLength(input.Message) > MAX_MESSAGE_BYTES) throw invalid("Message too long");
  if (input.MessageStructure === undefined) return { default: input.Message };
  if (input.MessageStructure !== "json") throw invalid("MessageStructure: the only value is json");
  let structure;
  try {
    structure = JSON.parse(input.Message);
  } catch {
    throw invalid("Message: with MessageStructure json, a JSON object");
  }
  if (structure === null || typeof structure !== "object" || Array.isArray(structure) || typeof structure.default !== "string") {
    throw invalid("Message Structure - No default entry in JSON message body");
  }
  for (const [protocol, message] of Object.entries(structure)) {
    if (typeof message !== "string") throw invalid(`Message Structure - ${protocol}: not a string`);
  }
  return structure;
}
