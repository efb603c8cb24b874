/** OpenAPI 3.1 document from the route schemas (component names = schema $ids) and Swagger UI at /docs. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { KINDS } from '../../kinds/registry.js';
import { publicScope } from './auth.js';

export async function registerSwagger(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'lr-finder',
        version: '1',
        description:
          'Find a good learning rate: LR range tests (torch-lr-finder / fastai semantics), schedule previews and simulations, ' +
          'training diagnostics. Jobs are queued (202 + Location) and polled; cheap questions are answered at once. ' +
          'Errors are RFC 9457 application/problem+json.',
      },
      tags: [
        ...KINDS.map((k) => ({ name: k.name, description: k.description })),
        { name: 'schedules', description: 'LR schedules of PyTorch, Hugging Face transformers and optax, simulated exactly' },
        { name: 'curve-analyses', description: 'suggestions for a loss-vs-LR curve recorded in your own training loop' },
        { name: 'sweep-sessions', description: 'an LR range test driven by your own training loop: the service plans the LRs, you report losses, it says when to stop and what to pick' },
        { name: 'lr-search-sessions', description: 'the LR search in your own training loop: a range test, then trials (lr, steps) you train from the same initial weights, then the recommendation' },
        { name: 'presets', description: 'ready-made request bodies' },
        { name: 'datasets', description: 'built-in datasets' },
        { name: 'health', description: 'liveness and readiness' },
      ],
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'only when the service runs with API_KEYS' } },
      },
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
