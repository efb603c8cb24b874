/** GET /v1/presets: ready-made request bodies, to paste into Swagger UI or a notebook. */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../contracts/common.js';
import { PRESETS } from '../../kinds/registry.js';

const PresetList = Type.Object({
  presets: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      kinds: Type.Array(Type.String()),
      body: Type.Object({}, { additionalProperties: true }),
    }),
  ),
});

export function presetRoutes(app: FastifyInstance): void {
  app.get(
    '/v1/presets',
    {
      config: {
        openapiExamples: {
          responses: {
            200: {
              description: 'Every kind\'s presets: send `{"preset": name}` (the fields you add replace the preset\'s)',
              examples: { presets: { summary: 'the presets', value: { presets: PRESETS } } },
            },
          },
        },
      },
      schema: {
        tags: ['presets'],
        summary: 'List ready-made request bodies',
        response: { 200: PresetList, ...problemResponses(401) },
      },
    },
    async () => ({ presets: PRESETS }),
  );
}
