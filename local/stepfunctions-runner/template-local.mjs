// The template as deployed locally, for tools outside node:
//   policies --template T [--parameter N=V]...   every policy document, as JSON
//   sam-local --template T --out OUT --env NAME=VALUE... [--parameter N=V]...
//       writes T (e.g. sam build's .aws-sam/build/template.yaml) as JSON,
//       its Fn::ForEach expanded for the parameters (SAM CLI reads the
//       project's samconfig.toml, which turns language extensions on, only
//       beside the template), with NAME=VALUE added to every function's
//       environment: `sam local invoke --env-vars` only sets variables a
//       template declares, and the local endpoints are declared nowhere else
//   dashboards --template T [--parameter N=V]...   every dashboard's body,
//       resolved and parsed, as JSON: [{id, body}]
//   deploy --template T --seed IN --out OUT [--parameter N=V]...
//       writes IN with the functions' principals added (the roles the
//       template gives them) and prints, as JSON, each function's access
//       key and environment: {binary: {accessKeyId, environment}}
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { functionPrincipals, policyDocuments } from "./iam.mjs";
import { Deployment, parameterOverrides, readTemplate } from "./template.mjs";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    template: { type: "string", default: "template.yaml" },
    parameter: { type: "string", multiple: true, default: [] },
    seed: { type: "string" },
    out: { type: "string" },
    env: { type: "string", multiple: true, default: [] },
  },
});
if (positionals[0] === "sam-local") {
  if (!args.out) {
    console.error("template-local sam-local: --out OUT is required");
    process.exit(2);
  }
  const template = readTemplate(args.template);
  template.Resources = new Deployment(args.template, parameterOverrides(args.parameter, "template-local")).resources;
  template.Transform = [template.Transform].flat().filter((transform) => transform !== "AWS::LanguageExtensions");
  const added = parameterOverrides(args.env, "template-local");
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== "AWS::Serverless::Function") continue;
    const properties = (resource.Properties ??= {});
    const environment = (properties.Environment ??= {});
    environment.Variables = { ...environment.Variables, ...added };
  }
  writeFileSync(args.out, JSON.stringify(template, null, 2));
  process.exit(0);
}
const deployment = new Deployment(args.template, parameterOverrides(args.parameter, "template-local"));
switch (positionals[0]) {
  case "policies":
    console.log(JSON.stringify(policyDocuments(deployment), null, 2));
    break;
  case "deploy": {
    if (!args.seed || !args.out) {
      console.error("template-local deploy: --seed IN and --out OUT are required");
      process.exit(2);
    }
    const seed = JSON.parse(readFileSync(args.seed, "utf8"));
    const principals = functionPrincipals(deployment);
    seed.principals = [...(seed.principals ?? []), ...principals.map(({ function: _, logicalId: __, ...principal }) => principal)];
    writeFileSync(args.out, JSON.stringify(seed, null, 2));
    console.log(JSON.stringify(Object.fromEntries(principals.map((p) => [
      p.function,
      { accessKeyId: p.accessKeyId, environment: deployment.functionEnvironment(p.logicalId) },
    ]))));
    break;
  }
  case "dashboards": {
    // Each dashboard's body as CloudFormation hands it to CloudWatch: its
    // Sub resolved, then read as the JSON CloudWatch requires.
    const bodies = deployment.ofType("AWS::CloudWatch::Dashboard").map(([id, dashboard]) => {
      const text = deployment.evaluate(dashboard.Properties.DashboardBody);
      try {
        return { id, body: JSON.parse(text) };
      } catch (error) {
        console.error(`template-local: ${id}'s DashboardBody is not JSON once resolved: ${error.message}`);
        process.exit(1);
      }
    });
    console.log(JSON.stringify(bodies, null, 2));
    break;
  }
  case "event-rules": {
    // The EventBridge rules SAM makes of the functions' EventBridgeRule
    // event sources: each function's, with its pattern resolved.
    const rules = [];
    for (const [id, resource] of deployment.ofType("AWS::Serverless::Function")) {
      for (const [name, source] of Object.entries(resource.Properties?.Events ?? {})) {
        if (source.Type !== "EventBridgeRule") continue;
        rules.push({ function: id, event: name, pattern: deployment.evaluate(source.Properties.Pattern) });
      }
    }
    console.log(JSON.stringify(rules, null, 2));
    break;
  }
  default:
    console.error("usage: template-local policies|deploy|dashboards|event-rules|sam-local --template T [--parameter NAME=VALUE]...");
    process.exit(2);
}
