/**
 * Environment → typed, frozen configuration shared by the API and the workers.
 * Every limit the service enforces lives here, with its default; docs/configuration.md's
 * table lists the same names.
 */
import { isIP } from 'node:net';
import os from 'node:os';

export interface Limits {
  /** HTTP request body, bytes */
  bodyBytes: number;
  /** body of a dataset upload (POST /v1/datasets), bytes */
  uploadBytes: number;
  /** LR range test iterations (`num_iter`) */
  numIter: number;
  /** `parallelism` of an LR search session: trials leased out at once */
  searchParallelism: number;
  /** `lease_seconds` of an LR search session: how long a leased trial stays with its client */
  searchLeaseSeconds: number;
  /** trainable parameters of a model */
  modelParams: number;
  /** dataset rows × features (built-in n_samples or inline rows) */
  datasetValues: number;
  /** `repeats` of a range test */
  repeats: number;
  /** `steps` of a schedule preview or simulation */
  scheduleSteps: number;
  /** nesting of schedules: SequentialLR / ChainedScheduler children, optax join_schedules children (a plain schedule is
   * 1) */
  scheduleDepth: number;
  /** nesting of arrays and objects in a JSON request body (the body itself is 1), checked before anything else reads it
   * */
  jsonDepth: number;
  /** a schedule simulated on the API (preview, simulation admission): steps × schedulers in the tree */
  scheduleWork: number;
  /** optimizer steps of one schedule simulation in total: steps × schedules */
  simulationSteps: number;
  /** minibatch size */
  batchSize: number;
  /** jobs queued or running per API key */
  jobsPerKey: number;
  /** jobs queued or running in the whole service (503 + Retry-After above) */
  queueDepth: number;
  /** layers of a model, residual blocks' inner layers included (each adds a per-layer series) */
  layers: number;
  /** estimated floating-point operations of one job: 6 × parameters × batch × optimizer steps */
  jobFlops: number;
  /** points kept per per-layer series of a result (first, last, evenly spaced between) */
  layerPoints: number;
  /** a job result's JSON, bytes: larger results fail `result_too_large` and are not stored */
  resultBytes: number;
  /** tasks that may wait for an API offload thread (parsing uploads, rendering large views); past it: 503 `busy` */
  apiThreadQueue: number;
  /** Server-Sent Event streams open at once in one API process */
  sseStreams: number;
  /** of those, streams one API key (owner) may hold open at once (with API_KEYS set) */
  sseStreamsPerKey: number;
  /** failed authentications per client address in a burst (then 429) */
  authFailures: number;
  /** failed authentications per minute refilled into that burst */
  authFailuresPerMin: number;
  /** wall-clock time of one job, milliseconds */
  jobTimeoutMs: number;
  /** V8 old-generation heap of one training thread, MiB */
  workerMemoryMb: number;
  /** bytes one API key may store in Redis (datasets, jobs, sessions, idempotency records); 0 = no quota */
  storageBytesPerKey: number;
  /** refuse new writes (503 storage_full) once Redis uses this fraction of its maxmemory */
  redisMemoryFraction: number;
  /** the memory the guard compares with when Redis has no maxmemory (0 = no guard then) */
  redisMemoryBytes: number;
}

export interface Config {
  port: number;
  host: string;
  /**
   * the address clients reach the API on: API_BIND when set (the host address a container's port
   * is published on: docker-compose.yml passes it in), else HOST
   */
  exposedHost: string;
  /** serve without API_KEYS on a non-loopback address (ALLOW_UNAUTHENTICATED=true); otherwise the API refuses to start
   * */
  allowUnauthenticated: boolean;
  /** unset (and no REDIS_SENTINELS): `npm start` launches an embedded redis-server */
  redisUrl: string | undefined;
  /** Redis Sentinel (REDIS_SENTINELS): the primary is found through the sentinels; null = REDIS_URL */
  redisSentinel: RedisSentinelConfig | null;
  /** replicas that must acknowledge a job's admission (Redis WAIT) before the API answers 202 (REDIS_WAIT_REPLICAS; 0 =
   * no WAIT) */
  redisWaitReplicas: number;
  /** how long that WAIT may take, ms (REDIS_WAIT_TIMEOUT_MS); past it the job is accepted on the primary alone and a
   * warning logged */
  redisWaitTimeoutMs: number;
  /** worker processes started by `npm start` */
  workers: number;
  /** jobs one worker process runs at once (each in its own thread) */
  workerConcurrency: number;
  logLevel: string;
  /** `pretty` (one human-readable line per event, via pino-pretty) or `json` (JSON lines); LOG_FORMAT, default pretty
   * on a terminal */
  logFormat: 'json' | 'pretty';
  /** API key → owner name; empty map = no authentication */
  apiKeys: ReadonlyMap<string, string>;
  /** BullMQ key prefix */
  queuePrefix: string;
  /** how long finished jobs (and their results), uploads and sessions are kept, seconds */
  resultTtlSeconds: number;
  /** per-kind overrides of resultTtlSeconds (RESULT_TTL_S_<NAME>): URL segment (a job kind's, `datasets`,
   * `sweep-sessions`, ...) → seconds; see retentionOf */
  retention: ReadonlyMap<string, number>;
  /** data directory of the embedded redis-server */
  dataDir: string;
  limits: Limits;
  /** how long an Idempotency-Key is remembered, seconds */
  idempotencyTtlSeconds: number;
  /** /readyz accepts a Redis without noeviction + AOF (ALLOW_UNSAFE_REDIS=true) */
  allowUnsafeRedis: boolean;
  /** load shedding: event-loop delay (ms) and heap (MiB, 0 = 90% of V8's limit) above which non-health routes answer
   * 503 */
  maxEventLoopDelayMs: number;
  /** worker threads of the API process that parse uploads and render large views off the event loop (API_THREADS) */
  apiThreads: number;
  maxHeapUsedMb: number;
  /** BullMQ lock duration / stalled-check interval, ms (short values in tests) */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** SIGTERM: how long a worker lets running jobs finish; a job that cannot is handed back to the queue at once, ms */
  workerStopGraceMs: number;
  /** JOB_FANOUT (default true): kinds that can fan out (LR searches) run their tasks as child jobs any worker takes */
  jobFanout: boolean;
  /** GET /metrics without an API key even when API_KEYS is set (METRICS_PUBLIC=true) */
  metricsPublic: boolean;
  /** owners (of API_KEYS) who may open the queue dashboard, which shows every owner's jobs (ADMIN_OWNERS) */
  adminOwners: readonly string[];
  webhooks: WebhookConfig;
  /** Fastify's trustProxy (TRUST_PROXY): which proxies' X-Forwarded-For gives the client address; false = the socket's
   * address */
  trustProxy: TrustProxy;
  /** an HTTP request (headers and body) must arrive within this time, ms (REQUEST_TIMEOUT_MS) */
  requestTimeoutMs: number;
}

/** `false` (the socket's address), `true` (trust every proxy), a hop count, or proxy addresses / CIDRs. */
export type TrustProxy = boolean | number | readonly string[];

/** Job webhooks (`callback_url`): Standard Webhooks signing, SSRF allow-list, delivery timing. */
export interface WebhookConfig {
  /** the HMAC-SHA256 key, the base64-decoded part of WEBHOOK_SECRET (`whsec_<base64>`); null: callback_url is refused
   * */
  secret: Buffer | null;
  /** hosts (names or IP literals, lower case) a callback may reach even when they resolve to loopback or private
   * addresses */
  allowHosts: ReadonlySet<string>;
  /** one delivery attempt's time limit (connect, send, response headers and the capped body), ms */
  timeoutMs: number;
  /** delivery attempts in all, the first included */
  attempts: number;
  /** exponential backoff between attempts: base delay, ms (doubling: base, 2 × base, 4 × base, ...) */
  backoffMs: number;
}

/** Redis Sentinel: where the sentinels are and which monitored primary to use (src/queue/connection.ts). */
export interface RedisSentinelConfig {
  /** REDIS_SENTINELS: `host:port,host:port,...` (port 26379 when omitted; IPv6 as `[::1]:26379`) */
  sentinels: ReadonlyArray<{ host: string; port: number }>;
  /** REDIS_SENTINEL_NAME: the primary's name in the sentinels' `sentinel monitor <name> ...` */
  name: string;
  /** REDIS_SENTINEL_PASSWORD: the sentinels' `requirepass`, if any */
  sentinelPassword: string | undefined;
  /** REDIS_PASSWORD: the primary's and replicas' `requirepass`, if any */
  password: string | undefined;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, dflt: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) {
    throw new Error(`config: ${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return v;
}

function fraction(env: Env, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || v > 1)
    throw new Error(`config: ${name} must be a number in (0, 1], got ${JSON.stringify(raw)}`);
  return v;
}

/**
 * `RESULT_TTL_S_<NAME>=seconds`: the retention of one kind of stored thing, named by its URL
 * segment in upper case with `_` for `-` (`RESULT_TTL_S_DATASETS`, a job kind's,
 * `RESULT_TTL_S_SWEEP_SESSIONS`, ...). Which names exist is the API's to check (checkRetentionNames).
 */
export function parseRetention(env: Env): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of Object.keys(env)) {
    const m = /^RESULT_TTL_S_([A-Z0-9_]+)$/.exec(name);
    if (m && env[name] !== undefined && env[name] !== '')
      out.set(m[1].toLowerCase().replace(/_/g, '-'), int(env, name, 1, 1));
  }
  return out;
}

/** How long a stored thing of kind `name` (a job kind, `datasets`, `sweep-sessions`, `lr-search-sessions`) is kept,
 * seconds. */
export function retentionOf(config: Pick<Config, 'resultTtlSeconds' | 'retention'>, name: string): number {
  return config.retention.get(name) ?? config.resultTtlSeconds;
}

/** What is stored besides jobs, by the name of its RESULT_TTL_S_<NAME> override. */
export const RETENTION_STORES = ['datasets', 'sweep-sessions', 'lr-search-sessions'] as const;

/** A RESULT_TTL_S_<NAME> whose name is no job kind (`jobKinds`) nor one of RETENTION_STORES stops the service at start.
 * */
export function checkRetentionNames(config: Pick<Config, 'retention'>, jobKinds: readonly string[]): void {
  const known = [...jobKinds, ...RETENTION_STORES];
  for (const name of config.retention.keys()) {
    if (!known.includes(name)) {
      throw new Error(
        `config: RESULT_TTL_S_${name.toUpperCase().replace(/-/g, '_')} names nothing stored; use one of ${known.map((k) => `RESULT_TTL_S_${k.toUpperCase().replace(/-/g, '_')}`).join(', ')}`,
      );
    }
  }
}

function bool(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new Error(`config: ${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

/**
 * WEBHOOK_SECRET as the Standard Webhooks spec writes secrets: `whsec_` + base64 of 24 to 64
 * random bytes (the key is the decoded bytes). Anything else is a configuration error.
 */
export function parseWebhookSecret(raw: string | undefined): Buffer | null {
  if (!raw) return null;
  const m = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(raw.trim());
  const key = m ? Buffer.from(m[1], 'base64') : null;
  if (!key || key.length < 24 || key.length > 64) {
    throw new Error(
      'config: WEBHOOK_SECRET must be "whsec_" followed by the base64 of 24 to 64 random bytes (e.g. "whsec_$(openssl rand -base64 32)")',
    );
  }
  return key;
}

/** WEBHOOK_ALLOW_HOSTS: `host1,10.0.0.7,[::1]` → lower-case host names / IP literals (IPv6 without brackets). */
export function parseAllowHosts(raw: string | undefined): Set<string> {
  return new Set(
    (raw ?? '')
      .split(',')
      .map((h) =>
        h
          .trim()
          .toLowerCase()
          .replace(/^\[(.*)\]$/, '$1')
          .replace(/\.$/, ''),
      )
      .filter(Boolean),
  );
}

/**
 * TRUST_PROXY, with Fastify's `trustProxy` semantics: unset or `false` = the client address is the
 * socket's (X-Forwarded-For ignored); `true` = the left-most X-Forwarded-For address (every hop trusted);
 * an integer n = the address n hops back; otherwise comma-separated proxy addresses or CIDRs (or
 * proxy-addr's names `loopback`, `linklocal`, `uniquelocal`) whose X-Forwarded-For is believed.
 */
export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const v = (raw ?? '').trim();
  if (v === '' || v.toLowerCase() === 'false') return false;
  if (v.toLowerCase() === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v) === 0 ? false : Number(v);
  const list = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const entry of list) {
    const [addr, bits, extra] = entry.split('/');
    const family = isIP(addr);
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(entry);
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!named && (family === 0 || !okBits || extra !== undefined)) {
      throw new Error(
        `config: TRUST_PROXY must be true, false, a hop count or comma-separated proxy addresses/CIDRs, got ${JSON.stringify(entry)}`,
      );
    }
  }
  return Object.freeze(list);
}

/** REDIS_SENTINELS: `10.0.0.5:26379,10.0.0.6,[fd00::7]:26380` → host/port pairs (a malformed entry is a configuration
 * error). */
export function parseSentinels(raw: string | undefined): { host: string; port: number }[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(entry);
      const port = m?.[3] === undefined ? 26379 : Number(m[3]);
      if (!m || port < 1 || port > 65535) {
        throw new Error(
          `config: REDIS_SENTINELS entry ${JSON.stringify(entry)} must be host:port (e.g. "10.0.0.5:26379,10.0.0.6:26379")`,
        );
      }
      return { host: m[1] ?? m[2], port };
    });
}

function redisSentinel(env: Env): RedisSentinelConfig | null {
  const sentinels = parseSentinels(env.REDIS_SENTINELS);
  if (sentinels.length === 0) return null;
  if (env.REDIS_URL)
    throw new Error(
      'config: set REDIS_URL or REDIS_SENTINELS, not both (with sentinels the primary is found through them)',
    );
  return Object.freeze({
    sentinels: Object.freeze(sentinels),
    name: env.REDIS_SENTINEL_NAME || 'mymaster',
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD || undefined,
    password: env.REDIS_PASSWORD || undefined,
  });
}

/** `ADMIN_OWNERS="ops,alice"`: owners named in API_KEYS (an unknown name is a configuration error). */
function parseAdminOwners(raw: string | undefined, apiKeys: ReadonlyMap<string, string>): readonly string[] {
  const names = (raw ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  const owners = new Set(apiKeys.values());
  for (const n of names) {
    if (apiKeys.size > 0 && !owners.has(n))
      throw new Error(`config: ADMIN_OWNERS names ${n}, which is no owner in API_KEYS`);
  }
  return Object.freeze(names);
}

/** LOG_FORMAT: `json` or `pretty`; unset: pretty when stdout is a terminal (someone is watching), JSON lines otherwise.
 * */
function parseLogFormat(raw: string | undefined): 'json' | 'pretty' {
  if (raw === 'json' || raw === 'pretty') return raw;
  if (raw) throw new Error(`config: LOG_FORMAT must be json or pretty, not ${JSON.stringify(raw)}`);
  return process.stdout.isTTY ? 'pretty' : 'json';
}

/** `API_KEYS="alice:key1,bob:key2"` or `"key1,key2"` (owner = key-1, key-2). */
export function parseApiKeys(raw: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  if (!raw) return keys;
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .forEach((entry, i) => {
      const colon = entry.indexOf(':');
      const [owner, key] = colon > 0 ? [entry.slice(0, colon), entry.slice(colon + 1)] : [`key-${i + 1}`, entry];
      if (key.length < 8) throw new Error(`config: API_KEYS entry for ${owner} must be at least 8 characters`);
      keys.set(key, owner);
    });
  return keys;
}

/** 127.0.0.0/8, ::1 (bracketed or IPv4-mapped too) and `localhost` */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/^::ffff:/, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Why the API must not start, or null: no API_KEYS (anyone who reaches it may submit and read
 * every job) on an address other hosts can reach, without ALLOW_UNAUTHENTICATED=true.
 */
export function unauthenticatedExposure(
  config: Pick<Config, 'apiKeys' | 'exposedHost' | 'allowUnauthenticated'>,
): string | null {
  if (config.apiKeys.size > 0 || config.allowUnauthenticated || isLoopback(config.exposedHost)) return null;
  return (
    `config: refusing to serve without API_KEYS on ${config.exposedHost}, which other hosts can reach: set API_KEYS, ` +
    'or bind to loopback (HOST=127.0.0.1; under docker compose API_BIND=127.0.0.1, the default), ' +
    'or set ALLOW_UNAUTHENTICATED=true to serve every client unauthenticated'
  );
}

export function loadConfig(env: Env = process.env): Readonly<Config> {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const apiKeys = parseApiKeys(env.API_KEYS);
  const sentinel = redisSentinel(env);
  const limits: Limits = Object.freeze({
    bodyBytes: int(env, 'LIMIT_BODY_BYTES', 1_048_576, 1024),
    uploadBytes: int(env, 'LIMIT_UPLOAD_BYTES', 16_777_216, 1024),
    numIter: int(env, 'LIMIT_NUM_ITER', 5000, 2),
    searchParallelism: int(env, 'LIMIT_SEARCH_PARALLELISM', 64, 1),
    searchLeaseSeconds: int(env, 'LIMIT_SEARCH_LEASE_S', 86_400, 1),
    modelParams: int(env, 'LIMIT_MODEL_PARAMS', 2_000_000, 1),
    datasetValues: int(env, 'LIMIT_DATASET_VALUES', 10_000_000, 1),
    repeats: int(env, 'LIMIT_REPEATS', 10, 1),
    scheduleSteps: int(env, 'LIMIT_SCHEDULE_STEPS', 100_000, 1),
    scheduleWork: int(env, 'LIMIT_SCHEDULE_WORK', 1_000_000, 1),
    simulationSteps: int(env, 'LIMIT_SIMULATION_STEPS', 50_000, 1),
    scheduleDepth: int(env, 'LIMIT_SCHEDULE_DEPTH', 8, 1),
    jsonDepth: int(env, 'LIMIT_JSON_DEPTH', 64, 8),
    batchSize: int(env, 'LIMIT_BATCH_SIZE', 4096, 1),
    jobsPerKey: int(env, 'LIMIT_JOBS_PER_KEY', 100, 1),
    queueDepth: int(env, 'LIMIT_QUEUE_DEPTH', 10_000, 1),
    layers: int(env, 'LIMIT_LAYERS', 64, 1),
    jobFlops: int(env, 'LIMIT_JOB_FLOPS', 10_000_000_000_000, 1),
    layerPoints: int(env, 'LIMIT_LAYER_POINTS', 200, 2),
    resultBytes: int(env, 'LIMIT_RESULT_BYTES', 8_388_608, 1024),
    apiThreadQueue: int(env, 'LIMIT_API_THREAD_QUEUE', 16, 0),
    sseStreams: int(env, 'LIMIT_SSE_STREAMS', 2000, 1),
    sseStreamsPerKey: int(
      env,
      'LIMIT_SSE_STREAMS_PER_KEY',
      Math.max(1, Math.floor(int(env, 'LIMIT_SSE_STREAMS', 2000, 1) / 4)),
      1,
    ),
    authFailures: int(env, 'LIMIT_AUTH_FAILURES', 20, 1),
    authFailuresPerMin: int(env, 'LIMIT_AUTH_FAILURES_PER_MIN', 60, 1),
    jobTimeoutMs: int(env, 'LIMIT_JOB_TIMEOUT_S', 600, 1) * 1000,
    workerMemoryMb: int(env, 'LIMIT_WORKER_MEMORY_MB', 1024, 32),
    storageBytesPerKey: int(env, 'LIMIT_STORAGE_BYTES_PER_KEY', 268_435_456, 0),
    redisMemoryFraction: fraction(env, 'LIMIT_REDIS_MEMORY_FRACTION', 0.9),
    redisMemoryBytes: int(env, 'LIMIT_REDIS_MEMORY_BYTES', 0, 0),
  });
  return Object.freeze({
    port: int(env, 'PORT', 3000),
    host: env.HOST || '127.0.0.1',
    exposedHost: env.API_BIND || env.HOST || '127.0.0.1',
    allowUnauthenticated: bool(env, 'ALLOW_UNAUTHENTICATED'),
    redisUrl: env.REDIS_URL || undefined,
    redisSentinel: sentinel,
    redisWaitReplicas: int(env, 'REDIS_WAIT_REPLICAS', sentinel ? 1 : 0, 0),
    redisWaitTimeoutMs: int(env, 'REDIS_WAIT_TIMEOUT_MS', 1000, 1),
    workers: int(env, 'WORKERS', cores, 0),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 1, 1),
    logLevel: env.LOG_LEVEL || 'info',
    logFormat: parseLogFormat(env.LOG_FORMAT),
    apiKeys,
    queuePrefix: env.QUEUE_PREFIX || 'lrf',
    resultTtlSeconds: int(env, 'RESULT_TTL_S', 7 * 24 * 3600, 1),
    retention: parseRetention(env),
    dataDir: env.DATA_DIR || '.data',
    limits,
    idempotencyTtlSeconds: int(env, 'IDEMPOTENCY_TTL_S', 24 * 3600, 1),
    allowUnsafeRedis: bool(env, 'ALLOW_UNSAFE_REDIS'),
    maxEventLoopDelayMs: int(env, 'MAX_EVENT_LOOP_DELAY_MS', 1000, 0),
    apiThreads: int(env, 'API_THREADS', Math.min(2, cores), 0),
    maxHeapUsedMb: int(env, 'MAX_HEAP_USED_MB', 0, 0),
    lockDurationMs: int(env, 'LOCK_DURATION_MS', 30_000, 100),
    stalledIntervalMs: int(env, 'STALLED_INTERVAL_MS', 30_000, 100),
    workerStopGraceMs: int(env, 'WORKER_STOP_GRACE_MS', 10_000, 0),
    jobFanout: (env.JOB_FANOUT ?? '').trim() === '' ? true : bool(env, 'JOB_FANOUT'),
    metricsPublic: bool(env, 'METRICS_PUBLIC'),
    adminOwners: parseAdminOwners(env.ADMIN_OWNERS, apiKeys),
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30_000, 100),
    webhooks: Object.freeze({
      secret: parseWebhookSecret(env.WEBHOOK_SECRET),
      allowHosts: parseAllowHosts(env.WEBHOOK_ALLOW_HOSTS),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100),
      attempts: int(env, 'WEBHOOK_ATTEMPTS', 12, 1),
      backoffMs: int(env, 'WEBHOOK_BACKOFF_MS', 10_000, 1),
    }),
  });
}
