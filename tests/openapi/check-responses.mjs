// Usage: node check-responses.mjs DOCUMENT SAMPLES
// Validates answers the real server gave against the schemas DOCUMENT (Parley's OpenAPI 3.1 reference) declares
// for them. SAMPLES is a JSON array of {"method", "path" (the route's pattern, "/api/faq-qa/{id}"), "status",
// "body" (the parsed JSON answer)}. Exits 0 when every answer matches its schema, 1 with the mismatches otherwise.
//
// The check is stricter than the document: an object schema that lists its properties and says nothing of others
// is read as closing them (additionalProperties: false), so that a field a handler adds without documenting it
// fails here. Free-form objects say so with an explicit additionalProperties.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [documentFile, samplesFile] = process.argv.slice(2);
const document = JSON.parse(readFileSync(documentFile, "utf8"));
const samples = JSON.parse(readFileSync(samplesFile, "utf8"));

function closeObjects(schema) {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (schema === null || typeof schema !== "object") return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    // Property names are data, not schemas: walk their values only.
    if (key === "properties") {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, closeObjects(s)]));
    } else {
      out[key] = closeObjects(value);
    }
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
// The components as one schema resource, so that "#/components/schemas/X" references resolve inside it.
ajv.addSchema({ $id: "parley", components: closeObjects(document.components) });

function responseSchema(sample) {
  const operation = document.paths[sample.path]?.[sample.method.toLowerCase()];
  if (operation === undefined) return { error: "the document has no such operation" };
  const response = operation.responses[String(sample.status)] ?? operation.responses.default;
  if (response === undefined) return { error: `the operation declares no ${sample.status} answer` };
  const schema = response.content?.["application/json"]?.schema;
  if (schema === undefined) return { error: `the ${sample.status} answer has no JSON schema` };
  return { schema };
}

// "#/components/schemas/X" → "parley#/components/schemas/X", everywhere in an operation's own schema.
function rebase(schema) {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== "object") return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === "$ref" && value.startsWith("#/") ? `parley${value}` : rebase(value);
  }
  return out;
}

let failures = 0;
for (const sample of samples) {
  const name = `${sample.method} ${sample.path} → ${sample.status}`;
  const found = responseSchema(sample);
  if (found.error) {
    console.error(`${name}: ${found.error}`);
    failures++;
    continue;
  }
  const validate = ajv.compile(closeObjects(rebase(found.schema)));
  if (!validate(sample.body)) {
    console.error(`${name}: ${JSON.stringify(validate.errors, null, 2)}\nanswer: ${JSON.stringify(sample.body)}`);
    failures++;
  }
}
if (failures > 0) {
  console.error(`${failures} of ${samples.length} answers do not match their schema`);
  process.exit(1);
}
console.log(`${samples.length} answers match their schemas`);
