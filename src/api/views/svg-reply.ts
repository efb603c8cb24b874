/**
 * A plot.svg answer: the SVG text with the headers every plot route sends (a self-contained image:
 * no scripts, inline styles only; cached privately; shown inline under a file name). The schema
 * of that answer for the OpenAPI document beside it.
 */
import type { FastifyReply } from 'fastify';

export const SVG_RESPONSE = Object.freeze({
  description: 'SVG image',
  content: { 'image/svg+xml': { schema: { type: 'string' } } },
});

export function sendSvg(reply: FastifyReply, filename: string, svg: string): FastifyReply {
  return reply
    .type('image/svg+xml; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, max-age=3600')
    .header('content-disposition', `inline; filename="${filename}"`)
    .send(svg);
}
