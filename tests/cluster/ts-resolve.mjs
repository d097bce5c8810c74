// Lets a child `node` run this repository's TypeScript as it is written (extensionless relative
// imports, as tsc's "moduleResolution": "node" allows): Node 24 strips or transforms the types itself
// (--experimental-transform-types); this hook only adds the `.ts` / `/index.ts` it will not guess.
import { registerHooks } from "node:module";

registerHooks({
    resolve(specifier, context, nextResolve) {
        if (!specifier.startsWith(".") || /\.[cm]?[jt]s$/.test(specifier)) return nextResolve(specifier, context);
        for (const candidate of [`${specifier}.ts`, `${specifier}/index.ts`]) {
            try {
                return nextResolve(candidate, context);
            } catch {}
        }
        return nextResolve(specifier, context);
    },
});
