// The template's IAM, for tools outside node:
//   policies --template T [--parameter N=V]...   every policy document, as JSON
//   seed --template T --seed IN --out OUT [--parameter N=V]...
//       writes IN with the functions' principals added (the roles the
//       template gives them) and prints {function: accessKeyId} as JSON
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { functionPrincipals, policyDocuments } from "./iam.mjs";
import { Deployment, parameterOverrides } from "./template.mjs";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    template: { type: "string", default: "template.yaml" },
    parameter: { type: "string", multiple: true, default: [] },
    seed: { type: "string" },
    out: { type: "string" },
  },
});
const deployment = new Deployment(args.template, parameterOverrides(args.parameter, "template-iam"));
switch (positionals[0]) {
  case "policies":
    console.log(JSON.stringify(policyDocuments(deployment), null, 2));
    break;
  case "seed": {
    if (!args.seed || !args.out) {
      console.error("template-iam seed: --seed IN and --out OUT are required");
      process.exit(2);
    }
    const seed = JSON.parse(readFileSync(args.seed, "utf8"));
    const principals = functionPrincipals(deployment);
    seed.principals = [...(seed.principals ?? []), ...principals.map(({ function: _, ...principal }) => principal)];
    writeFileSync(args.out, JSON.stringify(seed, null, 2));
    console.log(JSON.stringify(Object.fromEntries(principals.map((p) => [p.function, p.accessKeyId]))));
    break;
  }
  default:
    console.error("usage: template-iam policies|seed --template T [--parameter NAME=VALUE]...");
    process.exit(2);
}
