/**
 * Sizes of a code-split bundle from its esbuild metafile (benchmark aid): `entry` (the handler
 * module), `atImport` (the entry and every chunk it imports statically, transitively: what a cold
 * start parses before the first event) and `all` (every emitted JavaScript file; what is deployed),
 * in bytes. Source maps are not counted.
 */
export function bundleBytes(metafile) {
  const outputs = metafile.outputs;
  const js = Object.keys(outputs).filter((f) => f.endsWith('.js') || f.endsWith('.mjs'));
  // Dynamic-import targets are entry points too; the handler's is the one under functions/.
  const entry = js.find((f) => outputs[f].entryPoint?.startsWith('functions/')) ?? js[0];
  const eager = new Set();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop();
    if (eager.has(file)) continue;
    eager.add(file);
    for (const i of outputs[file].imports)
      if (i.kind === 'import-statement' && outputs[i.path]) stack.push(i.path);
  }
  const sum = (files) => [...files].reduce((n, f) => n + outputs[f].bytes, 0);
  return { entry: outputs[entry].bytes, atImport: sum(eager), all: sum(js) };
}
