/**
 * One log line per request (method, URL, status, milliseconds; at `error` for a 5xx), instead of
 * Fastify's two ("incoming request", "request completed"): a person watching a terminal reads one
 * line per call. Fastify's LogController is where that is decided (its other lines keep their defaults).
 */
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {
    // said once, when the request is answered (requestCompleted)
  }

  override requestCompleted(error: Error | null, req: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const line = { method: req.method, url: req.url, status, ms: Math.round(reply.elapsedTime * 10) / 10 };
    const msg = `${req.method} ${req.url} ${status}`;
    if (error || status >= 500) reply.log.error(error ? { ...line, err: error.message } : line, msg);
    else reply.log.info(line, msg);
  }
}
