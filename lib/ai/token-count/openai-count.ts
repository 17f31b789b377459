/**
 * Counts the prompt tokens of a chat request the way OpenAI bills them, with OpenAI's own
 * tokenizers (`gpt-tokenizer`: `o200k_base` for current models, `cl100k_base` for GPT-4 Turbo,
 * GPT-4 and GPT-3.5, per its model map) and these rules:
 *
 * - Messages: OpenAI's chat format, as in its cookbook ("How to count tokens with tiktoken"): 3
 *   tokens per message, the role and content, 1 more for a `name`, and 3 that prime the reply
 *   (`gpt-tokenizer`'s `computeChatCompletionTokenCount`: "hello world" as one user message is 9).
 * - Tools: the TypeScript-like `namespace functions` OpenAI renders tool definitions into, plus its
 *   fixed overheads (the same function; the format was reverse-engineered and checked against the
 *   API's `prompt_tokens` by `openai-chat-tokens`, which it follows).
 * - Images: OpenAI's vision rules (`openai-image-tokens.ts`), by the image's size read from its
 *   header.
 *
 * The count is `exact` when every part follows those rules; it is an `estimate` when a part has no
 * published rule (earlier tool calls and tool results in the conversation, a remote image whose size
 * is unknown, a model outside OpenAI's known families). For other providers' models the same count
 * serves as the gateway's documented estimate.
 */
import type {
  ChatCompletionFunctionDefinition,
  ChatCompletionFunctionParameters,
  ChatMessage as TokenizerMessage,
} from 'gpt-tokenizer/functionCalling';
import { contentText } from '../chat-builders.js';
import { parseImageUrl } from '../images.js';
import type { ChatCompletionRequest, ContentPart } from '../types.js';
import { imageDimensions } from './image-dimensions.js';
import { imageRule, openAIImageTokens } from './openai-image-tokens.js';

/** A token count and whether it is exact by the provider's rules. */
export interface CountResult {
  tokens: number;
  exact: boolean;
}

type Encoder = (text: string) => number;

/** The string counter of the model's encoding (loaded on first use: the tables are large). */
async function encoderFor(model: string): Promise<{ count: Encoder; known: boolean }> {
  const { modelToEncodingMap } = await import('gpt-tokenizer/mapping');
  const encoding = (modelToEncodingMap as Record<string, string | undefined>)[model];
  if (encoding === 'cl100k_base') {
    const { countTokens } = await import('gpt-tokenizer/encoding/cl100k_base');
    return { count: (text) => countTokens(text), known: true };
  }
  const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
  return { count: (text) => countTokens(text), known: encoding === undefined || encoding === 'o200k_base' };
}

function imagesOf(content: string | readonly ContentPart[]) {
  return typeof content === 'string' ? [] : content.filter((p) => p.type === 'image_url');
}

/** Image tokens of a message's parts; `exact` false when an image's size is unknown. */
function imageTokens(model: string, content: string | readonly ContentPart[]): CountResult {
  let tokens = 0;
  let exact = true;
  for (const part of imagesOf(content)) {
    if (part.type !== 'image_url') continue;
    const image = parseImageUrl(part.image_url.url);
    const size = image.kind === 'base64' ? imageDimensions(image.mediaType, image.data) : undefined;
    if (size === undefined) exact = false;
    tokens += openAIImageTokens(model, size, part.image_url.detail);
  }
  return { tokens, exact };
}

function toolsOf(request: ChatCompletionRequest): ChatCompletionFunctionDefinition[] | undefined {
  if (!request.tools?.length) return undefined;
  return request.tools.map((tool) => ({
    name: tool.function.name,
    ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
    ...(tool.function.parameters === undefined
      ? {}
      : { parameters: tool.function.parameters as unknown as ChatCompletionFunctionParameters }),
  }));
}

/**
 * The prompt tokens of `request` for OpenAI model `model`.
 *
 * @returns the count and whether it is exact (see the module comment for what makes it an estimate).
 */
export async function countOpenAIPrompt(request: ChatCompletionRequest, model: string): Promise<CountResult> {
  const { computeChatCompletionTokenCount } = await import('gpt-tokenizer/functionCalling');
  const encoder = await encoderFor(model);
  let exact = encoder.known && imageRule(model).known;
  let images = 0;
  const messages: TokenizerMessage[] = [];
  for (const message of request.messages) {
    const content = message.content ?? '';
    const image = imageTokens(model, content);
    images += image.tokens;
    exact &&= image.exact;
    const entry: TokenizerMessage = { role: message.role, content: contentText(content) };
    if ('name' in message && message.name !== undefined) entry.name = message.name;
    if (message.role === 'assistant' && message.tool_calls?.length) {
      // OpenAI publishes no rule for earlier tool calls: each is counted as a function call.
      exact = false;
      const [first, ...rest] = message.tool_calls;
      entry.function_call = { name: first!.function.name, arguments: first!.function.arguments };
      for (const call of rest)
        messages.push({ role: 'assistant', content: '', function_call: { ...call.function } });
    }
    if (message.role === 'tool') exact = false;
    messages.push(entry);
  }
  const choice = request.tool_choice;
  const functions = toolsOf(request);
  const tokens = computeChatCompletionTokenCount(
    {
      messages,
      ...(functions ? { functions } : {}),
      ...(choice === 'none' ? { function_call: 'none' as const } : {}),
      ...(typeof choice === 'object' ? { function_call: { name: choice.function.name } } : {}),
    },
    encoder.count,
  );
  return { tokens: tokens + images, exact };
}

/**
 * Tokens of a text in the model's OpenAI encoding (`o200k_base` for models outside OpenAI's map:
 * then a documented estimate). Counts what an abandoned stream had produced when the provider had
 * not reported it. Loads the tokenizer tables on first use (tens of milliseconds, once).
 */
export async function countTextTokens(model: string, text: string): Promise<number> {
  if (text === '') return 0;
  const { count } = await encoderFor(model);
  return count(text);
}
