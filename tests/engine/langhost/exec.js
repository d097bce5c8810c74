"use strict";
// Process helpers both gRPC handlers share (host.js Run, run-plugin.js RunPlugin).
const fs = require("node:fs");
const path = require("node:path");

/** exec.LookPath: the real host runs whichever `node` is first on PATH. */
function lookPath(command) {
    for (const dir of (process.env.PATH || "").split(path.delimiter)) {
        const candidate = path.join(dir || ".", command);
        try { fs.accessSync(candidate, fs.constants.X_OK); if (fs.statSync(candidate).isFile()) return candidate; } catch { /* next */ }
    }
    throw new Error(`exec: "${command}": executable file not found in $PATH`);
}

/** A Go-style `KEY=value` environment list as an object for child_process. */
const envObject = (list) => Object.fromEntries(list.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));

module.exports = { lookPath, envObject };
