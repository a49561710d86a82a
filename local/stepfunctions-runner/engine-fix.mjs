// Mends three differences between aws-local-stepfunctions 3.0.0 and Step
// Functions, in the installed package (install_node_packages runs this
// after `npm ci`; it is idempotent, and fails loudly on another version).
//
// 1. The engine has no task tokens: a Task state of the callback pattern
// ("Wait for a Callback with Task Token", Step Functions Developer Guide)
// finds no `$$.Task.Token` in the context object. Here a Task whose
// Resource ends in `.waitForTaskToken` gets one from the run's
// `overrides.mintTaskToken`, and a local task handler is handed the
// context object, to know its token, and the state's input, to read its
// TimeoutSecondsPath (callback.mjs does the rest).
//
// 2. The engine reads a Task's TimeoutSecondsPath from the input its
// Parameters built; Step Functions reads it from the state input ("a path
// in the state input", as the CDK's `Timeout.at` puts it). Here it is read
// from the state's input.
//
// 3. The engine strips every backslash from the string an intrinsic function
// returns, to undo the escapes of a States.Format template (`\{`, `\}`,
// `\'`, `\\`). That also strips the escapes JSON needs: States.JsonToString
// of a string holding a quote returns invalid JSON, where Step Functions
// returns the JSON text ("Intrinsic functions", Step Functions Developer
// Guide: States.JsonToString "Converts a JSON object to its string
// representation"; States.Format: "escape the ' { } \ characters"). Here
// the escapes of a Format template are undone in its own literal text,
// and no function's result is touched.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "node_modules", "aws-local-stepfunctions");
const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
if (version !== "3.0.0") {
  console.error(`engine-fix: written for aws-local-stepfunctions 3.0.0, found ${version}: check the fix still applies`);
  process.exit(1);
}

const fixes = [
  [
    `    const rawInput = cloneJSON(input);
    try {
      const processedInput = this.processInput(input, context);`,
    `    const rawInput = cloneJSON(input);
    try {
      if (this.stateDefinition.Type === "Task" && String(this.stateDefinition.Resource).endsWith(".waitForTaskToken")) {
        context.Task = { Token: options.runOptions?.overrides?.mintTaskToken?.(this.stateName) };
      } else {
        delete context.Task;
      }
      const processedInput = this.processInput(input, context);`,
  ],
  [
    `      options.overrideFn(input)`,
    `      options.overrideFn(input, context, options.stateInput)`,
  ],
  [
    `    const timeoutMs = this.getTimeoutMs(input, context);`,
    `    const timeoutMs = this.getTimeoutMs(options.stateInput ?? input, context);`,
  ],
  [
    `    const executionResult = await taskStateAction.execute(input, context, { overrideFn, awsConfig });`,
    `    const executionResult = await taskStateAction.execute(input, context, { overrideFn, awsConfig, stateInput: rawInput });`,
  ],
  [
    `    if (typeof result === "string") {
      result = result.replaceAll("\\\\", "");
    }
`,
    "",
  ],
  [
    `    const placeholdersNumber = templateStr.match(/\\{\\}/g)?.length ?? 0;`,
    `    const placeholdersNumber = (templateStr.match(/\\\\.|\\{\\}/g) ?? []).filter((match) => match === "{}").length;`,
  ],
  [
    `    return templateStr.replace(/\\{\\}/g, () => placeholderValues[i++]);`,
    `    return templateStr.replace(/\\\\(.)|\\{\\}/g, (_, escaped) => escaped ?? String(placeholderValues[i++]));`,
  ],
];

for (const build of ["main.node.esm.js", "main.node.cjs"]) {
  const file = join(root, "build", build);
  let text = readFileSync(file, "utf8");
  for (const [before, after] of fixes) {
    if (text.includes(before)) {
      text = text.replace(before, after);
    } else if (after === "" || !text.includes(after)) {
      // Already mended (the first fix leaves nothing to find), or changed.
      if (after !== "") {
        console.error(`engine-fix: ${build} does not hold the code this fix mends`);
        process.exit(1);
      }
    }
  }
  writeFileSync(file, text);
}
