/**
 * Defaults and fixed container paths of the nginx component. One place, named, so the renderer, the
 * component and the tests agree.
 */

/** The TLS directory: a read-only volume that the component's volume writer fills (shared/rotation). */
export const NGINX_TLS_DIR = "/etc/nginx/tls";
/** Where the server certificate (leaf first, then intermediates) is delivered. */
export const SERVER_CERT_PATH = `${NGINX_TLS_DIR}/server.crt`;
/** Where the server private key is uploaded (root-owned 0600: the master reads it as root, DNG has no USER). */
export const SERVER_KEY_PATH = `${NGINX_TLS_DIR}/server.key`;
/** Where the CA that issues client certificates is uploaded when client verification is on. */
export const CLIENT_CA_PATH = `${NGINX_TLS_DIR}/client-ca.crt`;
/** The CA that issued the server certificate, uploaded for the healthcheck's verification. */
export const ISSUER_CA_PATH = `${NGINX_TLS_DIR}/issuer-ca.crt`;
/**
 * How the running server re-reads its certificates: `nginx -s reload` signals the master (pid file
 * /run/nginx.pid, set in the rendered nginx.conf), which loads the configuration and certificates again and
 * keeps the old cycle when that fails; on success old workers finish their requests
 * (src/os/unix/ngx_process_cycle.c, ngx_master_process_cycle on ngx_reconfigure).
 */
export const NGINX_RELOAD: readonly string[] = ["nginx", "-s", "reload"];
/** The rendered configuration replaces the image's main config file. */
export const NGINX_CONF_PATH = "/etc/nginx/nginx.conf";
/** Directory whose `.well-known/acme-challenge/` files port 80 serves (certbot `--webroot-path`). */
export const ACME_CHALLENGE_ROOT = "/var/www/acme";

/**
 * The HTTPS path the container healthcheck requests, answered by nginx itself (204) so that the proxy's
 * health never depends on an upstream: with an upstream on `/` (the default prefix) the probe would
 * otherwise reach the application every 10 s, and a slow one would mark the proxy unhealthy.
 */
export const HEALTHCHECK_PATH = "/.tls-platform/health";

export const DEFAULT_HTTPS_PORT = 443;
export const DEFAULT_HTTP_PORT = 80;
export const DEFAULT_MIN_TLS_VERSION = "TLSv1.2";
/** `server_name _`: answer for any Host. */
export const DEFAULT_SERVER_NAMES: readonly string[] = ["_"];
export const DEFAULT_UPSTREAM_PATH_PREFIX = "/";

/** The official image's worker user (nginx/docker-nginx Dockerfile: `useradd --system --uid 101 nginx`). */
export const WORKER_USER = "nginx";

/** Mozilla "intermediate" TLS 1.2 cipher list: the library's one TLS profile (components/shared/tlsProfile.ts). */
export { TLS12_CIPHER_STRING as MOZILLA_INTERMEDIATE_CIPHERS } from "../shared/tlsProfile";

/** Two years, as the Mozilla generator emits. */
export const HSTS_MAX_AGE_SECONDS = 63072000;
/** hstspreload.org's floor for a preload submission: one year. */
export const HSTS_PRELOAD_MIN_MAX_AGE_SECONDS = 31536000;

/**
 * Mozilla's recommendation, and the default HSTS for the proxy's real host names (`serverNames`).
 * Requests for any other host (`localhost`, an IP, a name not listed) get `max-age=0` instead: HSTS
 * is kept per host name whatever the port (RFC 6797 §8.2), so a long policy for `localhost` would force
 * HTTPS on every localhost port of every browser that trusted the dev CA; max-age=0 also clears such a
 * policy left by an earlier release (RFC 6797 §6.1.1).
 */
export const HSTS_TWO_YEARS = { maxAgeSeconds: HSTS_MAX_AGE_SECONDS, includeSubDomains: true, preload: false } as const;
/** What every host outside the real server names gets. */
export const HSTS_ELSEWHERE = "max-age=0";

/** How long a proxied WebSocket may stay silent before nginx closes it (proxy_read_timeout default is 60 s). */
export const WEBSOCKET_READ_TIMEOUT = "1h";
