// The IAM side of a deployment: every policy document the template writes,
// and, for each function, the principal it runs as (its role's policy and
// the DataZone project memberships the template gives that role).
import { ACCOUNT } from "./template.mjs";

/** Inline policy statements of a SAM function's or state machine's `Policies`. */
function inlineDocuments(deployment, logicalId, policies) {
  return (policies ?? []).map((policy, index) => {
    if (typeof policy !== "object" || !("Statement" in policy)) {
      throw new Error(`template: ${logicalId} Policies[${index}] is not an inline policy document; only those are read locally`);
    }
    return deployment.evaluate({ Version: "2012-10-17", ...policy });
  });
}

/**
 * Every IAM policy document of the deployment: `{resource, role, kind, document}`,
 * `role` the logical id of the role an identity-based policy belongs to.
 */
export function policyDocuments(deployment) {
  const documents = [];
  for (const type of ["AWS::Serverless::Function", "AWS::Serverless::StateMachine"]) {
    for (const [id, resource] of deployment.ofType(type)) {
      for (const document of inlineDocuments(deployment, id, resource.Properties?.Policies)) {
        documents.push({ resource: id, role: `${id}Role`, kind: "identity", document });
      }
    }
  }
  for (const [id, resource] of deployment.ofType("AWS::IAM::Role")) {
    for (const policy of resource.Properties?.Policies ?? []) {
      documents.push({ resource: id, role: id, kind: "identity", document: deployment.evaluate(policy.PolicyDocument) });
    }
  }
  for (const type of ["AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy"]) {
    for (const [id, resource] of deployment.ofType(type)) {
      documents.push({ resource: id, role: null, kind: "resource", document: deployment.evaluate(resource.Properties.PolicyDocument) });
    }
  }
  return documents;
}

/** The project memberships the deployment gives each role ARN: `{roleArn: [{projectId, designation}]}`. */
function membershipsByRole(deployment) {
  const profiles = Object.fromEntries(deployment.ofType("AWS::DataZone::UserProfile").map(([id, profile]) => [
    deployment.getAtt(id, "Id"), deployment.evaluate(profile.Properties.UserIdentifier),
  ]));
  const byRole = {};
  for (const [id, membership] of deployment.ofType("AWS::DataZone::ProjectMembership")) {
    const properties = deployment.evaluate(membership.Properties);
    const roleArn = profiles[properties.Member?.UserIdentifier];
    if (!roleArn) throw new Error(`template: ${id} names a member that is no user profile of the template`);
    (byRole[roleArn] ??= []).push({ projectId: properties.ProjectIdentifier, designation: properties.Designation });
  }
  return byRole;
}

/**
 * The principal each function runs as, in the emulator seed's form, with
 * the access key the local chain gives the function's process.
 */
export function functionPrincipals(deployment) {
  const memberships = membershipsByRole(deployment);
  const statementsByRole = {};
  for (const { role, kind, document } of policyDocuments(deployment)) {
    if (kind === "identity") (statementsByRole[role] ??= []).push(...[document.Statement].flat());
  }
  return deployment.ofType("AWS::Serverless::Function").map(([id]) => {
    const role = `${id}Role`;
    const roleArn = deployment.roleArn(role);
    const binary = deployment.binary(id);
    return {
      function: binary,
      logicalId: id,
      accessKeyId: `AKID${id.toUpperCase().replace(/[^A-Z0-9]/g, "")}`,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleArn.split("/").pop()}/${binary}`,
      policy: { Version: "2012-10-17", Statement: statementsByRole[role] ?? [] },
      memberships: memberships[roleArn] ?? [],
    };
  });
}
