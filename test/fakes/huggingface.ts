/**
 * Fake Hugging Face endpoints: the Inference Providers router is OpenAI-compatible under `/v1`
 * (see `openai.ts`); a Text Embeddings Inference server answers `POST /embed` with bare vectors and
 * `POST /rerank` with `[{index, score}]` sorted by score, its token count in `x-compute-tokens`.
 */
import { openAIRoutes } from './openai.js';
import { type Behaviour, FakeUpstream, type RecordedRequest } from './server.js';

type Json = Record<string, unknown>;

function embed(request: RecordedRequest): Behaviour {
  const body = request.json as Json;
  const inputs = typeof body.inputs === 'string' ? [body.inputs] : (body.inputs as string[]);
  const vectors = inputs.map((_, i) => [i + 0.5, 0.5, 0.5]);
  return {
    kind: 'json',
    body: vectors,
    headers: { 'x-compute-tokens': String(4 * inputs.length), 'x-compute-type': 'cpu' },
  };
}

function rerank(request: RecordedRequest): Behaviour {
  const body = request.json as Json;
  const texts = body.texts as string[];
  const query = String(body.query).toLowerCase();
  const ranks = texts
    .map((text, index) => ({ index, score: text.toLowerCase().includes(query) ? 0.9 : 0.1 / (index + 1) }))
    .sort((a, b) => b.score - a.score);
  return { kind: 'json', body: ranks, headers: { 'x-compute-tokens': String(6 * texts.length) } };
}

/** A TEI server (`/embed`, `/rerank` at the root). */
export function createTeiFake(): FakeUpstream {
  return new FakeUpstream({ 'POST /embed': embed, 'POST /rerank': rerank });
}

/** The router: OpenAI-compatible under `/v1`. */
export function createHuggingFaceRouterFake(): FakeUpstream {
  return new FakeUpstream(openAIRoutes('/v1'));
}
