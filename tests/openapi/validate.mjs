// Validates an OpenAPI document (file argument) with @readme/openapi-parser:
// schema validation against the OpenAPI 3.1 meta-schema plus spec checks
// ($refs resolve, path parameters declared, operationIds unique).
import OpenAPIParser from "@readme/openapi-parser";
import { readFileSync } from "node:fs";

const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
try {
  const api = await OpenAPIParser.validate(doc);
  console.log(`valid: OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths`);
} catch (e) {
  console.error(`invalid: ${e.message}`);
  process.exit(1);
}
