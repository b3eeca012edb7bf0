// Validates rendered Kubernetes manifests (multi-document YAML on stdin) against the Kubernetes and
// KEDA JSON schemas shipped in the npm packages kubernetes-models and @kubernetes-models/keda,
// installed under $K8S_TOOLS/node_modules by scripts/k8s-test.sh. Every document must have a known
// schema: an unknown kind fails instead of passing unchecked. Prints one line per object.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = path.join(process.env.K8S_TOOLS ?? '', 'node_modules');
const load = (rel) => import(pathToFileURL(path.join(modules, rel, 'index.js')).href);
const { parseAllDocuments } = await import(pathToFileURL(path.join(modules, 'yaml/dist/index.js')).href);

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const dir = group.endsWith('keda.sh') ? `@kubernetes-models/keda/${group}/${version}` : `kubernetes-models/${group ? `${group}/` : ''}${version}`;
  try {
    return (await load(dir))[kind];
  } catch (err) {
    if (err.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  }
}

const docs = parseAllDocuments(readFileSync(0, 'utf8')).map((d) => d.toJS()).filter(Boolean);
let failed = 0;
for (const doc of docs) {
  const name = `${doc.kind}/${doc.metadata?.name}`;
  const Model = await modelFor(doc.apiVersion, doc.kind);
  if (!Model) {
    console.error(`FAIL ${name}: no schema for ${doc.apiVersion} ${doc.kind}`);
    failed++;
    continue;
  }
  try {
    new Model(doc).validate();
    console.log(`ok   ${doc.apiVersion} ${name}`);
  } catch (err) {
    console.error(`FAIL ${name}: ${err.message}`);
    failed++;
  }
}
if (docs.length === 0) {
  console.error('FAIL: no documents');
  process.exit(1);
}
console.log(`${docs.length - failed}/${docs.length} objects valid`);
process.exit(failed ? 1 : 0);
