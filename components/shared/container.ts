/** A file uploaded into a container: the shape of a @pulumi/docker `ContainerUpload` with literal content. */
export interface ContainerFile {
    readonly file: string;
    readonly content: string;
    /** Octal mode, e.g. `0600`: uploads default to 0644 (kreuzwerker resource_docker_container_funcs.go). */
    readonly permissions: string;
    /** Numeric uid: names would be resolved on the Pulumi host, not in the image (kreuzwerker/terraform-provider-docker resource_docker_container_funcs.go resolves them there). */
    readonly owner: string;
    readonly group: string;
}

/** The host address every published port binds to unless a caller opts out loudly. */
export const LOOPBACK_ADDRESS = "127.0.0.1";
