// The components as a Pulumi component package. Pulumi starts this folder (PulumiPlugin.yaml) with
// @pulumi/pulumi/cmd/run-plugin, which requires package.json's `main` (this file, compiled to
// dist/plugin/index.js) and, since the module exports component classes, serves them itself
// (run-plugin/run.js: getPulumiComponents, then componentProviderHost with this folder as `dirname`).
// The schema comes from the TypeScript types: the analyzer (provider/experimental/analyzer.js) finds
// no `.ts` beside `main`, falls back to this index.ts and follows its imports, to the components'
// source here and to their shipped declarations (dist/components/*.d.ts) in an installed copy.
export * from "tls-platform";
