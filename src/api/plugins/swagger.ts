/** OpenAPI 3.1 document from the route schemas (component names = schema $ids) and Swagger UI at /docs. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { Limits } from '../../config.js';
import { KINDS } from '../../kinds/registry.js';
import type { MediaExample } from '../openapi-examples.js';
import { problemExample } from '../openapi-examples.js';
import { publicScope } from './auth.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** OpenAPI examples of the route's request body and responses (by status), keyed by name
     * (src/api/openapi-examples.ts) */
    openapiExamples?: {
      /** by media type: `{'application/json': {name: example}}` */
      body?: Record<string, Record<string, MediaExample>>;
      /** by status: the answer's description and its JSON examples */
      responses?: Record<number, { description: string; examples: Record<string, MediaExample> }>;
    };
  }
}

/** A stable operationId from the route: `post /v1/curve-analyses` → `post_v1_curve_analyses` (Swagger UI's deep-link id
 * too). */
export function operationIdOf(method: string, url: string): string {
  return `${method.toLowerCase()}_${url.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`;
}

type Operation = {
  requestBody?: { content?: Record<string, { examples?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { examples?: unknown }> }>;
};

/** Puts each route's `config.openapiExamples` on its operation's media types (JSON bodies and answers). */
function addExamples(
  doc: { paths?: Record<string, Record<string, Operation>> },
  examples: Map<string, NonNullable<FastifyContextConfigExamples>>,
): void {
  for (const [key, ex] of examples) {
    const [method, path] = key.split(' ');
    const op = doc.paths?.[path]?.[method];
    if (!op) continue;
    for (const [type, named] of Object.entries(ex.body ?? {})) {
      const media = op.requestBody?.content?.[type];
      if (!media) throw new Error(`openapiExamples: ${key} has no ${type} body`);
      media.examples = named;
    }
    for (const [status, { description, examples: named }] of Object.entries(ex.responses ?? {})) {
      const res = op.responses?.[status];
      const media = res?.content?.['application/json'];
      if (!res || !media) throw new Error(`openapiExamples: ${key} has no JSON ${status} answer`);
      res.description = description;
      media.examples = named;
    }
  }
}

type FastifyContextConfigExamples = import('fastify').FastifyContextConfig['openapiExamples'];

/**
 * `auth`: the service runs with API_KEYS. Only then does the document declare the bearer scheme and
 * a security requirement (Swagger UI's Authorize button and lock icons); without keys there is
 * nothing to authorize, so it shows none.
 */
export async function registerSwagger(app: FastifyInstance, limits: Readonly<Limits>, auth: boolean): Promise<void> {
  const examples = new Map<string, NonNullable<FastifyContextConfigExamples>>();
  // every documented operation gets an operationId (client generators name methods by it), and the
  // public routes (config.public: no API key) an empty security requirement
  app.addHook('onRoute', (route) => {
    const schema = route.schema as Record<string, unknown> | undefined;
    if (!schema || schema.hide) return;
    const method = Array.isArray(route.method) ? route.method[0] : route.method;
    if (method === 'HEAD') return;
    schema.operationId ??= operationIdOf(method, route.url);
    if (auth && (route.config as { public?: boolean } | undefined)?.public) schema.security ??= [];
    const ex = route.config?.openapiExamples;
    if (ex) examples.set(`${method.toLowerCase()} ${route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`, ex);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'lr-finder',
        version: '1',
        description:
          'Find the learning rate to train with. Start with an **LR search** (a job, or a session in your own training loop): ' +
          'it brackets the LRs with a range test, then trains candidates for your number of steps ' +
          'and recommends the one that trains best, with an interval and a confidence. Also here: LR range tests with every ' +
          "library's suggestion rule (torch-lr-finder, fastai, Lightning, Keras, Ignite), schedule previews and simulations " +
          '(PyTorch, Hugging Face, optax), and training diagnostics. Jobs are queued (202 + Location) and polled or followed as ' +
          'Server-Sent Events; cheap questions are answered at once. Errors are RFC 9457 application/problem+json.',
      },
      tags: [
        ...KINDS.map((k) => ({ name: k.name, description: k.description })),
        {
          name: 'schedules',
          description: 'LR schedules of PyTorch, Hugging Face transformers and optax, simulated exactly',
        },
        {
          name: 'curve-analyses',
          description: 'suggestions for a loss-vs-LR curve recorded in your own training loop',
        },
        {
          name: 'sweep-sessions',
          description:
            'an LR range test driven by your own training loop: the service plans the LRs, you report losses, it says when to stop and what to pick',
        },
        {
          name: 'lr-search-sessions',
          description:
            'the LR search in your own training loop: a range test, then trials (lr, steps) you train from the same initial weights, then the recommendation',
        },
        { name: 'presets', description: 'ready-made request bodies' },
        {
          name: 'datasets',
          description:
            'the built-in datasets, and your own: upload rows once (JSON or CSV), use them in any job as `data: {dataset_id}`',
        },
        { name: 'usage', description: 'what your API key stores and has in flight, against its quotas' },
        { name: 'health', description: 'liveness and readiness' },
      ],
      ...(auth
        ? {
            components: {
              securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'an API key of API_KEYS' } },
            },
            // every route needs the key but the public ones, which say `security: []`
            security: [{ apiKey: [] }],
          }
        : {}),
      // relative: Swagger UI's "Try it out" calls the server that served the document
      servers: [{ url: '/', description: 'this server' }],
    },
    transformObject: (document) => {
      const openapiObject = (document as { openapiObject: Record<string, unknown> }).openapiObject;
      const doc = openapiObject as Parameters<typeof addExamples>[0] & {
        components?: { schemas?: Record<string, Record<string, unknown>> };
      };
      addExamples(doc, examples);
      // the problem every error response refers to: a real answer, not `"additionalProp1": {}`
      const problem = doc.components?.schemas?.Problem;
      if (problem) problem.examples = [problemExample(limits)];
      return openapiObject;
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  // Swagger UI's page and static assets are public (publicScope); so is the document
  await app.register(async (docs) => {
    publicScope(docs);
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true, tryItOutEnabled: true },
    });
  });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}
