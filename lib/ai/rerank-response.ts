/** Building the canonical rerank answer from any provider's scores. */
import { badUpstreamResponse } from '../upstream/errors.js';
import { arr, field, num } from './read.js';
import type { RerankRequest, RerankResponse, RerankResult } from './types.js';

/** A document's text, whichever form the request used. */
export function documentText(document: RerankRequest['documents'][number]): string {
  return typeof document === 'string' ? document : document.text;
}

/**
 * Reads `[{index, <scoreKey>}]` scores from an upstream list.
 *
 * @throws UpstreamError `bad_upstream_response` when the list is missing, an index is out of range or
 *   repeated, or a score is not a finite number.
 */
export function readScores(
  list: unknown,
  scoreKey: string,
  documents: number,
  provider: string,
): RerankResult[] {
  const items = arr(list);
  if (items === undefined)
    throw badUpstreamResponse(provider, `${provider} sent a rerank answer without results`);
  const seen = new Set<number>();
  return items.map((item) => {
    const index = num(field(item, 'index'));
    const score = num(field(item, scoreKey));
    if (
      index === undefined ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= documents ||
      seen.has(index)
    ) {
      throw badUpstreamResponse(provider, `${provider} sent a rerank result with an invalid index`);
    }
    if (score === undefined)
      throw badUpstreamResponse(provider, `${provider} sent a rerank result without a score`);
    seen.add(index);
    return { index, relevance_score: score };
  });
}

/**
 * Sorts by descending score, cuts to `top_n`, and attaches documents when asked.
 */
export function rerankResponse(input: {
  id: string;
  model: string;
  request: RerankRequest;
  results: RerankResult[];
  usage: RerankResponse['usage'];
}): RerankResponse {
  const sorted = [...input.results].sort((a, b) => b.relevance_score - a.relevance_score);
  const cut = input.request.top_n === undefined ? sorted : sorted.slice(0, input.request.top_n);
  const results = cut.map((result) => {
    const document = input.request.documents[result.index];
    return input.request.return_documents === true && document !== undefined
      ? { ...result, document: { text: documentText(document) } }
      : result;
  });
  return { id: input.id, model: input.model, results, usage: input.usage };
}
