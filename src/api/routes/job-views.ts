/**
 * Views of the jobs of every kind: GET /v1/{kind} (the caller's jobs, newest first, paginated),
 * /v1/{kind}/{id}/events (Server-Sent Events), /plot.svg and /curve.csv (the result as a picture
 * and a table). Same 404 and owner rules as GET /v1/{kind}/{id}; Redis down is a 503 problem
 * before anything is streamed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { JobParams, problemResponses } from '../../contracts/common.js';
import { notFound, ProblemError } from '../../contracts/problems.js';
import { findKind, KINDS, type JobKind } from '../../kinds/registry.js';
import { transferable } from '../offload/pool.js';
import type { JobEvent, JobRecord } from '../../queue/jobs.js';
import {
  decodeCursor,
  encodeCursor,
  JobList,
  LIST_LIMIT,
  LIST_REQUEST_MAX_BYTES,
  ListQuery,
  listItem,
} from '../views/job-list.js';
import { sseComment, sseEvent } from '../views/sse.js';
import { sendSvg, SVG_RESPONSE } from '../views/svg-reply.js';
import { jobResource } from '../job-resource.js';
import { jobExample } from '../openapi-examples.js';

/** SSE bounds: heartbeat comment, longest connection (then reconnect). */
export interface SseTiming {
  heartbeatMs: number;
  maxConnectionMs: number;
  /** the `retry:` reconnection delay suggested to EventSource */
  retryMs: number;
}

export const SSE_TIMING: Readonly<SseTiming> = Object.freeze({
  heartbeatMs: 15_000,
  maxConnectionMs: 30 * 60_000,
  retryMs: 2_000,
});

const TERMINAL = new Set(['succeeded', 'failed', 'canceled']);

const jobNotFound = (kind: string, id: string) => notFound(`no ${kind} job ${id} (it may have expired)`);

/** The job and its stored result text, or the problem that says why there is none yet. */
async function finishedJob(
  app: FastifyInstance,
  kind: JobKind,
  id: string,
  owner: string,
): Promise<{ rec: JobRecord; result: Buffer }> {
  const got = await app.jobs.getStored(kind, id, owner);
  if (!got) throw jobNotFound(kind, id);
  const { rec } = got;
  if (rec.status === 'queued' || rec.status === 'running') {
    throw new ProblemError(
      409,
      'not_finished',
      'Job not finished',
      `job ${id} is ${rec.status}; its result (and so its plot and table) exists once it has succeeded — follow links.events or poll links.self`,
    );
  }
  if (rec.status !== 'succeeded' || !got.result) {
    throw new ProblemError(
      409,
      'no_result',
      'Job has no result',
      `job ${id} ${rec.status}; only a succeeded job has a result to show`,
    );
  }
  return { rec, result: got.result };
}

/** Results up to this size are rendered on the event loop (a few ms at most); larger ones in an offload thread. */
export const INLINE_VIEW_BYTES = 64 * 1024;

/** plot.svg / curve.csv of a stored result: parsed and rendered in the offload pool when large (503 `busy` when it is
 * full). */
async function renderView(
  app: FastifyInstance,
  kind: JobKind,
  view: 'svg' | 'csv',
  rec: JobRecord,
  result: Buffer,
): Promise<string> {
  if (result.length <= INLINE_VIEW_BYTES) {
    const v = findKind(kind)?.views[view];
    if (!v) throw new Error(`no ${view} view for ${kind}`);
    return v.render(JSON.parse(result.toString('utf8')) as never, rec.request as never);
  }
  const { bytes, transfer } = transferable(result);
  return app.offload.run<string>({ op: 'view', kind, view, result: bytes, request: rec.request }, transfer);
}

/**
 * @param maxStreams LIMIT_SSE_STREAMS: streams open at once in this process (503 above)
 * @param maxPerOwner LIMIT_SSE_STREAMS_PER_KEY: streams one owner may hold of those (429 above), so one
 *   key cannot take every stream; app.ts passes maxStreams here when there are no API keys (one tenant)
 */
export function jobViewRoutes(
  app: FastifyInstance,
  sse: Partial<SseTiming> = {},
  maxStreams = Number.MAX_SAFE_INTEGER,
  maxPerOwner = maxStreams,
): void {
  const timing: SseTiming = { ...SSE_TIMING, ...sse };
  const streams = new Set<() => void>();
  /** open streams per owner (entries removed at zero) */
  const perOwner = new Map<string, number>();
  // one heartbeat for every open stream
  const beats = new Set<() => void>();
  const heartbeat = setInterval(() => {
    for (const b of beats) b();
  }, timing.heartbeatMs);
  heartbeat.unref();
  app.addHook('preClose', async () => {
    clearInterval(heartbeat);
    for (const end of [...streams]) end();
  });

  for (const k of KINDS) {
    const kind = k.name;
    const base = `/v1/${kind}`;
    const tag = kind;
    const { svg, csv } = k.views;

    const queued = jobExample(k);
    app.get(
      base,
      {
        config: {
          openapiExamples: {
            responses: {
              200: {
                description: 'A page of your jobs, newest first',
                examples: {
                  one: {
                    summary: 'one job, queued',
                    value: {
                      items: [listItem(queued as { request: unknown; result: unknown }, null)],
                      next_cursor: null,
                      links: { self: `${base}?limit=20`, next: null },
                    },
                  },
                },
              },
            },
          },
        },
        schema: {
          tags: [tag],
          summary: `List your ${k.noun.many}, newest first`,
          description:
            'Jobs of the caller (its API key) kept for RESULT_TTL_S, newest first, `limit` per page (default 20, max 100). ' +
            'Items omit the result (a `summary` gives its headline); follow `links.next` (or pass `next_cursor` as `cursor`) until it is null.',
          querystring: ListQuery,
          response: { 200: JobList(k.summary.schema), ...problemResponses(400, 401, 503) },
        },
      },
      async (req: FastifyRequest<{ Querystring: { limit?: number; cursor?: string } }>) => {
        const limit = req.query.limit ?? LIST_LIMIT.default;
        const cursor = req.query.cursor !== undefined ? decodeCursor(req.query.cursor) : null;
        const page = await app.jobs.list(kind, req.owner, { limit, cursor, requestMaxBytes: LIST_REQUEST_MAX_BYTES });
        const next = page.next ? encodeCursor(page.next) : null;
        const q = (c: string | null) => `${base}?limit=${limit}${c ? `&cursor=${c}` : ''}`;
        return {
          // the summary the worker stored beside the result (the list never reads results)
          items: page.items.map((rec) => listItem(jobResource(rec), rec.summary ?? null)),
          next_cursor: next,
          links: { self: q(req.query.cursor ?? null), next: next ? q(next) : null },
        };
      },
    );

    app.get(
      `${base}/:id/events`,
      {
        schema: {
          tags: [tag],
          summary: `Follow ${k.noun.a} ${k.noun.one} as Server-Sent Events`,
          description:
            'A `text/event-stream`: first `event: status` with the job resource as it is now, then `event: progress` with each ' +
            'progress point (`{iteration, total, lr, loss, ...}`) as the worker reports it, `event: status` with the full job resource ' +
            'whenever the status changes, and the stream ends after a terminal status (succeeded, failed, canceled). Comment lines (`: keep-alive`) ' +
            `every ${SSE_TIMING.heartbeatMs / 1000} s; a connection lasts at most ${SSE_TIMING.maxConnectionMs / 60_000} minutes ` +
            '(EventSource reconnects and gets the current state first). From Python: read the response line by line.',
          params: JobParams,
          response: {
            200: { description: 'the event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
            ...problemResponses(400, 401, 404, 429, 503),
          },
        },
      },
      async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
        if (streams.size >= maxStreams) {
          throw new ProblemError(
            503,
            'too_many_streams',
            'Too many event streams',
            `this server has ${streams.size} event streams open, its limit is ${maxStreams} (LIMIT_SSE_STREAMS); poll links.self or retry shortly`,
            [],
            { 'retry-after': '5' },
          );
        }
        // the owner's slot is taken before the first await and given back unless a stream holds it: exact under
        // concurrency
        const owner = req.owner;
        const mine = perOwner.get(owner) ?? 0;
        if (mine >= maxPerOwner) {
          throw new ProblemError(
            429,
            'too_many_key_streams',
            'Too many event streams for this key',
            `this API key has ${mine} event streams open, its limit is ${maxPerOwner} (LIMIT_SSE_STREAMS_PER_KEY); close one, poll links.self or retry shortly`,
            [],
            { 'retry-after': '5' },
          );
        }
        perOwner.set(owner, mine + 1);
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          const n = (perOwner.get(owner) ?? 1) - 1;
          if (n <= 0) perOwner.delete(owner);
          else perOwner.set(owner, n);
        };
        let streaming = false;
        try {
          const rec = await app.jobs.get(kind, req.params.id, req.owner);
          if (!rec) throw jobNotFound(kind, req.params.id);
          // HEAD (Fastify answers it with the GET handler): the headers, not a stream held open
          if (req.method === 'HEAD')
            return reply.type('text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send('');
          streamJob(app, kind, rec, req, reply, streams, beats, timing, release);
          streaming = true;
        } finally {
          if (!streaming) release();
        }
      },
    );

    if (svg)
      app.get(
        `${base}/:id/plot.svg`,
        {
          schema: {
            tags: [tag],
            summary: `The ${k.noun.one}'s result as an SVG plot`,
            description: `${svg.description} A self-contained SVG (no fonts, no scripts). 409 until the job has succeeded.`,
            params: JobParams,
            response: {
              200: SVG_RESPONSE,
              ...problemResponses(400, 401, 404, 409, 503),
            },
          },
        },
        async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
          const { rec, result } = await finishedJob(app, kind, req.params.id, req.owner);
          return sendSvg(reply, `${kind}-${rec.id}.svg`, await renderView(app, kind, 'svg', rec, result));
        },
      );

    if (csv)
      app.get(
        `${base}/:id/curve.csv`,
        {
          schema: {
            tags: [tag],
            summary: `The ${k.noun.one}'s result as CSV`,
            description: `${csv.description} \`pandas.read_csv(url)\` reads it. 409 until the job has succeeded.`,
            params: JobParams,
            response: {
              200: {
                description: 'CSV (RFC 4180, header row)',
                content: { 'text/csv': { schema: { type: 'string' } } },
              },
              ...problemResponses(400, 401, 404, 409, 503),
            },
          },
        },
        async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
          const { rec, result } = await finishedJob(app, kind, req.params.id, req.owner);
          const text = await renderView(app, kind, 'csv', rec, result);
          return reply
            .type('text/csv; charset=utf-8; header=present')
            .header('cache-control', 'private, max-age=3600')
            .header('content-disposition', `inline; filename="${kind}-${rec.id}.csv"`)
            .send(text);
        },
      );
  }
}

/** The `status` event of a job record, framed once for every stream that sends it. */
const framed = new WeakMap<JobRecord, string>();

function iterationOf(p: unknown): number | null {
  const it = (p as { iteration?: unknown } | null)?.iteration;
  return typeof it === 'number' && Number.isFinite(it) ? it : null;
}

/**
 * One SSE connection. The process's event hub (one QueueEvents per queue, fanned out) delivers
 * progress points and state-change hints; a hint makes this stream read the job once (the new
 * status, or the final resource with its result). The hub's shared backstop poll covers events
 * lost in a reconnect or made elsewhere (a cancel through another API process). No per-stream timers
 * besides the connection's maximum time.
 */
function streamJob(
  app: FastifyInstance,
  kind: JobKind,
  first: JobRecord,
  req: FastifyRequest,
  reply: FastifyReply,
  streams: Set<() => void>,
  beats: Set<() => void>,
  timing: SseTiming,
  release: () => void = () => undefined,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': req.id,
  });
  let closed = false;
  let last = first;
  let lastProgress = JSON.stringify(first.progress ?? null);
  let lastIteration = iterationOf(first.progress);
  let pending: unknown;
  // set once the stream is subscribed; end() may run before that
  let maxTimer: NodeJS.Timeout | undefined = undefined;
  let unsubscribe: () => void = () => undefined;

  const write = (chunk: string) => {
    if (!closed && !res.destroyed) res.write(chunk);
  };
  const beat = () => write(sseComment('keep-alive'));
  const end = () => {
    if (closed) return;
    closed = true;
    clearTimeout(maxTimer);
    beats.delete(beat);
    unsubscribe();
    streams.delete(end);
    release();
    if (!res.destroyed && !res.writableEnded) res.end();
  };
  streams.add(end);
  res.on('close', end);

  // progress arrives from events and from re-reads: never repeat a point or go backwards
  const sendProgress = (p: unknown) => {
    const key = JSON.stringify(p ?? null);
    if (p === null || p === undefined || key === lastProgress) return;
    const it = iterationOf(p);
    if (it !== null && lastIteration !== null && it <= lastIteration) return;
    lastProgress = key;
    if (it !== null) lastIteration = it;
    write(sseEvent('progress', p));
  };
  const sendStatus = (rec: JobRecord) => {
    lastProgress = JSON.stringify(rec.progress ?? null);
    lastIteration = iterationOf(rec.progress) ?? lastIteration;
    // streams woken by one event share the record (JobStore reads a job once at a time): frame it once
    let text = framed.get(rec);
    if (text === undefined) framed.set(rec, (text = sseEvent('status', jobResource(rec))));
    write(text);
    if (TERMINAL.has(rec.status)) end();
  };

  let busy = false;
  let again = false;
  const refresh = async (): Promise<void> => {
    if (closed) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      const rec = await app.jobs.get(kind, first.id, req.owner);
      if (closed) return;
      if (!rec) {
        write(sseComment('the job no longer exists (expired or removed)'));
        end();
        return;
      }
      if (rec.status !== last.status || rec.finished_at !== last.finished_at) {
        sendProgress(rec.progress);
        last = rec;
        sendStatus(rec);
      } else {
        last = rec;
        sendProgress(rec.progress);
      }
    } catch {
      // Redis unreachable for a moment: keep the stream, the next event or backstop round retries
    } finally {
      if (pending !== undefined && !closed && last.status !== 'queued') sendProgress(pending);
      if (last.status !== 'queued') pending = undefined;
      busy = false;
      if (again && !closed) {
        again = false;
        void refresh();
      }
    }
  };

  write(sseEvent('status', jobResource(first), { retryMs: timing.retryMs }));
  if (TERMINAL.has(first.status)) {
    end();
    return;
  }

  unsubscribe = app.jobs.subscribe(kind, first.id, (ev: JobEvent) => {
    if (closed) return;
    if (ev.type === 'progress') {
      if (last.status === 'queued') {
        // it started: the running status first, then its progress
        pending = ev.data;
        void refresh();
      } else {
        sendProgress(ev.data);
      }
    } else {
      void refresh();
    }
  });
  beats.add(beat);
  maxTimer = setTimeout(() => {
    write(sseComment('maximum connection time reached: reconnect to keep following the job'));
    end();
  }, timing.maxConnectionMs);
  void refresh(); // anything that happened between the first read and the subscription
}
