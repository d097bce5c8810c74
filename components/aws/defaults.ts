/**
 * Every AWS default in one place. Versions and limits cite where they come from (AWS documentation,
 * hashicorp/terraform-provider-aws), beside each constant.
 */

/** Engines an `ElastiCacheCache` runs. Valkey is the default: at-rest encryption on by default, cheaper. */
export const CACHE_ENGINES = ["valkey", "redis"] as const;
export type CacheEngine = (typeof CACHE_ENGINES)[number];
export const DEFAULT_CACHE_ENGINE: CacheEngine = "valkey";

/**
 * Default engine versions (major.minor, as the provider wants for 7+; AWS picks the patch release).
 * Both can switch transit encryption modes in place, without replacing the group.
 */
export const DEFAULT_ENGINE_VERSIONS: Record<CacheEngine, string> = { valkey: "8.0", redis: "7.1" };

/**
 * The oldest versions that change TLS settings in place (docs.aws.amazon.com/AmazonElastiCache/latest/dg/
 * in-transit-encryption.html): anything older replaces the whole group when transit encryption changes.
 * The provider forces that replacement below engine_version_actual 7.0.5 (terraform-provider-aws
 * replication_group.go); ElastiCache's first Valkey is 7.2.
 */
export const MIN_TLS_ENGINE_VERSIONS: Record<CacheEngine, readonly [number, number]> = { valkey: [7, 2], redis: [7, 0] };

/** The only port this library uses for ElastiCache: the Redis/Valkey default. */
export const ELASTICACHE_PORT = 6379;
export const DEFAULT_CACHE_NODE_TYPE = "cache.t4g.small";
/** A primary and one replica, so that failover and Multi-AZ are on. */
export const DEFAULT_NUM_CACHE_CLUSTERS = 2;
/**
 * A primary and at most five replicas (cluster mode disabled): "The maximum permitted value for
 * NumCacheClusters is 6 (1 primary plus 5 replicas)" (ElastiCache API reference,
 * CreateReplicationGroup NumCacheClusters). The provider's `num_cache_clusters` takes any number.
 */
export const MAX_NUM_CACHE_CLUSTERS = 6;
export const DEFAULT_SNAPSHOT_RETENTION_DAYS = 7;
/** The provider's limit (terraform-provider-aws replication_group.go `IntAtMost(35)`). */
export const MAX_SNAPSHOT_RETENTION_DAYS = 35;
/** ElastiCache's shortest maintenance and snapshot window (ReplicationGroup .d.ts). */
export const MIN_ELASTICACHE_WINDOW_MINUTES = 60;

/** Windows in UTC; the daily backup ends before the weekly maintenance starts. */
export const DEFAULT_MAINTENANCE_WINDOW = "sun:05:00-sun:06:00";
export const DEFAULT_BACKUP_WINDOW = "03:00-04:00";

/**
 * The generated ElastiCache AUTH token: 64 characters from letters, digits and the only specials
 * ElastiCache accepts (docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html). random's default
 * special set holds `@ % ( )` and more, which AWS refuses at create time although the provider lets
 * them through preview.
 */
export const AUTH_TOKEN_LENGTH = 64;
export const AUTH_TOKEN_SPECIALS = "!&#$^<>-";
export const MIN_AUTH_TOKEN_LENGTH = 16;
export const MAX_AUTH_TOKEN_LENGTH = 128;

/** Strategies the component lets through; `DELETE` would leave the cache without a password. */
export const AUTH_TOKEN_UPDATE_STRATEGIES = ["SET", "ROTATE"] as const;
export type AuthTokenUpdateStrategy = (typeof AUTH_TOKEN_UPDATE_STRATEGIES)[number];
export const DEFAULT_AUTH_TOKEN_UPDATE_STRATEGY: AuthTokenUpdateStrategy = "SET";

/** The longest KMS allows (7–30): a key scheduled for deletion by mistake can be saved for a month. */
export const KMS_DELETION_WINDOW_DAYS = 30;

export const RDS_POSTGRES_PORT = 5432;
export const RDS_POSTGRES_MAJOR_VERSION = 17;
export const RDS_PARAMETER_GROUP_FAMILY = `postgres${RDS_POSTGRES_MAJOR_VERSION}`;
/** A major version only: AWS picks the newest 17.x and `autoMinorVersionUpgrade` keeps it current. */
export const DEFAULT_RDS_ENGINE_VERSION = String(RDS_POSTGRES_MAJOR_VERSION);
export const DEFAULT_RDS_INSTANCE_CLASS = "db.t4g.medium";
/** gp3's minimum for PostgreSQL (limits.ts RDS_STORAGE_GIB). */
export const DEFAULT_RDS_ALLOCATED_STORAGE_GB = 20;
export const DEFAULT_RDS_STORAGE_TYPE = "gp3";
export const DEFAULT_RDS_BACKUP_RETENTION_DAYS = 7;
export const MAX_RDS_BACKUP_RETENTION_DAYS = 35;
/** RDS's shortest maintenance and backup window. */
export const MIN_RDS_WINDOW_MINUTES = 30;
export const DEFAULT_RDS_USERNAME = "app";
/** The final snapshot's default prefix: the component's name and this suffix. */
export const FINAL_SNAPSHOT_SUFFIX = "-final";
/**
 * Hex characters that end every final snapshot identifier, drawn from the stack and the inputs that
 * replace the instance (snapshot.ts), so a replaced instance's snapshot never collides with one taken
 * before (DBSnapshotAlreadyExists would stop the deletion, and the replacement with it).
 */
export const FINAL_SNAPSHOT_UNIQUE_LENGTH = 8;
/** RDS snapshot identifiers: at most 255 characters (CreateDBSnapshot DBSnapshotIdentifier). */
export const MAX_SNAPSHOT_IDENTIFIER_LENGTH = 255;
export const DEFAULT_RDS_DATABASE = "app";
/** Letters and digits only: no quoting trouble in libpq keyword strings, ~238 bits at 40 characters. */
export const RDS_PASSWORD_LENGTH = 40;

/**
 * The server certificate authority, set explicitly so that an instance never sits on an expiring CA
 * by default: RSA 2048, the most widely supported of the current CAs that replaced rds-ca-2019
 * (docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html). Its root is in the global
 * bundle that `caBundlePem` takes. Changing it later rotates the server certificate (a restart).
 */
export const RDS_CA_CERT_IDENTIFIER = "rds-ca-rsa2048-g1";
/** Where the RDS trust bundle is published, quoted in messages and docs. */
export const RDS_GLOBAL_BUNDLE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem";

/**
 * Cluster mode (sharded): shards (node groups) and replicas per shard. A shard holds a primary and
 * 0–5 replicas: the provider's `replicas_per_node_group` is `validation.IntBetween(0, 5)`
 * (terraform-provider-aws replication_group.go). ElastiCache takes 1–500 node groups per cluster
 * (CreateReplicationGroup NumNodeGroups; Redis OSS 5.0.6+ and Valkey); the provider does not check it.
 */
export const DEFAULT_SHARDS = 2;
export const MAX_SHARDS = 500;
/** One replica per shard, so that failover and Multi-AZ have a node to promote in another AZ. */
export const DEFAULT_REPLICAS_PER_SHARD = 1;
export const MAX_REPLICAS_PER_SHARD = 5;

/**
 * RBAC: the user name ElastiCache gives connections that do not AUTH, which every user group must
 * contain (docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html, "Managing access with
 * user groups"). This library puts a disabled one there, so only the application users get in.
 */
export const RBAC_DEFAULT_USER_NAME = "default";
/** The default user's access string: `off` (cannot authenticate) and no command at all. */
export const RBAC_DISABLED_ACCESS_STRING = "off -@all";
/**
 * Commands an application user gets: everything but the categories Redis marks `@dangerous` (FLUSHALL,
 * FLUSHDB, KEYS, CONFIG, DEBUG, MONITOR, SHUTDOWN, CLIENT KILL, REPLICAOF, MIGRATE, INFO, ...; every
 * `@admin` command is also `@dangerous` in Redis 7 and Valkey); cluster discovery (CLUSTER SLOTS,
 * SHARDS, NODES, INFO) stays allowed, as those subcommands are `@slow` only.
 */
export const RBAC_APPLICATION_COMMANDS = "+@all -@dangerous";
/** ElastiCache user ids: a letter, then lower-case letters, digits and hyphens (AWS::ElastiCache::User UserId pattern `[a-z][a-z0-9\\-]*`). */
export const RBAC_USER_ID_PATTERN = /^[a-z][a-z0-9-]*$/;
/** Longest user and user group id this library derives (ElastiCache's limit on ids is 40; ids end in an 8-character hash). */
export const RBAC_MAX_ID_LENGTH = 40;

/**
 * RDS read replicas per source instance for PostgreSQL: 15 (docs.aws.amazon.com/AmazonRDS/latest/
 * UserGuide/USER_ReadRepl.html, "up to 15 read replicas from one DB instance").
 */
export const MAX_RDS_READ_REPLICAS = 15;
export const DEFAULT_RDS_READ_REPLICAS = 0;
