import { componentProviderHost, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as components from "../components";

// Started by the Pulumi engine as this package's provider: it serves every exported component, with
// a schema the SDK derives from the components' TypeScript argument and output types.
componentProviderHost({ components: getPulumiComponents(components), name: "tls-platform", dirname: __dirname }).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
