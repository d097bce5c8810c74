import { Problem, show } from "./problems";

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/**
 * An image reference pinned to one build: a digest (`name@sha256:…`), or a tag other than `latest`.
 * A missing tag means `latest` to Docker, and `latest` moves: two `pulumi up`s, or a container
 * replaced for a config change, would silently run another server version.
 */
export function validateImage(image: unknown, pinnedExample: string, path = "image"): Problem[] {
    if (image === undefined) {
        return [];
    }
    const fix = `pin an exact version, e.g. \`${pinnedExample}\` (the default), or a digest \`name@sha256:<64 hex digits>\``;
    if (typeof image !== "string" || image.trim() === "" || /\s/.test(image)) {
        return [{ path, message: `\`${path}\`: ${show(image)} is not an image reference; ${fix}.` }];
    }
    if (DIGEST.test(image)) {
        return [];
    }
    // The tag is after the last `:` of the last path segment (`registry:5000/name` is a port, not a tag).
    const lastSegment = image.slice(image.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    const tag = colon < 0 ? undefined : lastSegment.slice(colon + 1);
    if (tag === undefined || tag === "") {
        return [{ path, message: `\`${path}\`: ${show(image)} has no tag, which Docker reads as \`latest\`, a tag that moves: the next pull (a container replaced for a config change pulls it again) may run another version; ${fix}.` }];
    }
    if (tag === "latest") {
        return [{ path, message: `\`${path}\`: ${show(image)} is not pinned: \`latest\` moves, so the next pull (a container replaced for a config change pulls it again) may run another version; ${fix}.` }];
    }
    return [];
}
