// The engine's intrinsic functions as Step Functions runs them, after
// engine-fix.mjs: JSON text stays JSON, a Format template's escapes are its
// own, and a value put into a template is put in as it is.
import assert from "node:assert/strict";
import { test } from "node:test";
import { StateMachine } from "aws-local-stepfunctions";

async function pass(parameters, input) {
  const machine = new StateMachine({ StartAt: "P", States: { P: { Type: "Pass", Parameters: parameters, End: true } } });
  return machine.run(input).result;
}

test("States.JsonToString of strings holding quotes and backslashes is JSON", async () => {
  const input = { x: { cause: "s3 said \"no\" at C:\\path" } };
  const output = await pass({ "text.$": "States.JsonToString($.x)" }, input);
  assert.deepEqual(JSON.parse(output.text), input.x);
});

test("States.Format undoes its template's escapes, not its values'", async () => {
  const output = await pass(
    { "text.$": "States.Format('\\{literal\\} {} it\\'s', $.value)" },
    { value: "a \\ b \"c\"" },
  );
  assert.equal(output.text, "{literal} a \\ b \"c\" it's");
});
