// Validates every object of the YAML streams given on stdin against the Kubernetes OpenAPI schemas
// bundled in kubernetes-models (Kubernetes 1.27), offline: types, required fields, enums, formats.
// These schemas allow unknown fields (as the API server does without strict field validation), so
// a misspelt field is not caught here. First proves it can fail: an object with a wrong type and one
// lacking a required field must be rejected.
import { parseAllDocuments } from "yaml";

async function model(apiVersion, kind) {
  const path = apiVersion.includes("/") ? apiVersion : `${apiVersion}`;
  const mod = await import(`kubernetes-models/${path}/${kind}`);
  return mod[kind] ?? mod.default;
}

async function check(obj) {
  const Model = await model(obj.apiVersion, obj.kind);
  new Model(obj).validate();
}

async function rejects(obj, what) {
  try {
    await check(obj);
  } catch (e) {
    return;
  }
  throw new Error(`the validator accepted ${what}: it proves nothing`);
}

const probe = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" },
  spec: { selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [{ name: "c" }] } } } };
await check(probe);
await rejects({ ...probe, spec: { ...probe.spec, template: { spec: { containers: [{}] } } } }, "a container without name");
await rejects({ ...probe, spec: { ...probe.spec, replicas: "two" } }, "a string for an integer");

let input = "";
for await (const chunk of process.stdin) input += chunk;
let n = 0;
for (const doc of parseAllDocuments(input)) {
  if (doc.errors.length) throw doc.errors[0];
  const obj = doc.toJS();
  if (!obj) continue;
  await check(obj);
  console.log(`valid: ${obj.apiVersion} ${obj.kind} ${obj.metadata?.namespace ?? ""}/${obj.metadata?.name}`);
  n++;
}
console.log(`${n} objects valid`);
