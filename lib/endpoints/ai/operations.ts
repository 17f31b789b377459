import { Readable } from 'node:stream';
import {
  type InvokeInput,
  invokeEmbeddings,
  invokeImages,
  invokeModeration,
  invokeRerank,
  invokeSpeech,
  invokeTranscription,
} from '../../adapters/index.js';
import { checkImageSizeBounds, DEFAULT_IMAGE_SIZE } from '../../ai/generated-images.js';
import type {
  EmbeddingsRequest,
  ImageGenerationRequest,
  ModerationRequest,
  RerankRequest,
  SpeechRequest,
  TranscriptionRequest,
} from '../../ai/types.js';
import { ValidationError } from '../../errors.js';
import { type HandlerRequest, Reply } from '../../http/handler.js';
import type { ServiceType } from '../../schemas/providers.js';
import {
  type CallShape,
  imageGenerationShape,
  inputShape,
  speechShape,
  transcriptionShape,
} from '../../services/ai/bounds.js';
import { gatewayHeaders } from '../../services/ai/headers.js';
import { runAi } from '../../services/ai/pipeline.js';
import { jsonCodec } from '../../services/cache/codecs.js';
import { deadlineFromRemaining } from '../../services/routing/index.js';

/** Inputs of a batched operation (one string or token array, or a list of them): each is framed. */
const itemsOf = (input: unknown) =>
  Array.isArray(input) && input.some((item) => typeof item !== 'number') ? input.length : 1;

type Invocation<R> = { response: R; usage: import('../../ai/types.js').ReportedUsage };

/**
 * Routes and serves a single-answer operation (embeddings, rerank, speech, transcription, images,
 * moderation) with its usage recorded.
 */
async function serveOperation<Req extends { model: string }, Res>(
  request: HandlerRequest<Req, unknown, unknown>,
  op: {
    serviceType: ServiceType;
    usageKind: string;
    /** What the call asks for: its holds and TPM charges are taken at this shape's bound. */
    shape: CallShape;
    invoke: (args: InvokeInput<Req>) => Promise<Invocation<Res>>;
    /** Answers of this operation go through the response cache. */
    cache?: 'embeddings' | 'rerank';
    /** An answer without usage was still billed (see `AiCall.billedWithoutUsage`). */
    billedWithoutUsage?: boolean;
    /** The answer is streamed to the caller: a hang-up mid-body must end the upstream read too. */
    streamed?: boolean;
  },
) {
  const { deps } = request;
  const deadline = () => deadlineFromRemaining(deps.now(), request.context.getRemainingTimeInMillis());
  const run = await runAi<Invocation<Res>>({
    deps,
    principal: request.principal,
    serviceType: op.serviceType,
    usageKind: op.usageKind,
    model: request.body.model,
    needs: {},
    shape: op.shape,
    stream: false,
    deadlineMs: deadline(),
    afterResponse: request.afterResponse,
    ...(op.billedWithoutUsage ? { billedWithoutUsage: true } : {}),
    ...(op.cache
      ? {
          cache: {
            operation: op.cache,
            body: request.body as Record<string, unknown>,
            streamed: false,
            headers: request.headers,
            codec: jsonCodec<Res>(),
          },
        }
      : {}),
    log: request.log,
    invoke: (candidate, ticket, signal) =>
      op.invoke({
        provider: candidate.provider,
        model: candidate.modelId,
        request: { ...request.body, model: candidate.modelId },
        credential: ticket.credential,
        deps: deps.upstream,
        deadline: deadline(),
        // A client that hangs up mid-body ends the upstream read too (only a streamed body can be
        // left mid-way: buffered routes never abort `request.signal`, so they skip the combining).
        signal: op.streamed ? AbortSignal.any([signal, request.signal]) : signal,
      }),
  });
  await run.finish(run.value.usage, 'success');
  return { run, response: run.value.response, headers: gatewayHeaders(run, request.receivedAt) };
}

/** `POST /v1/embeddings`: batched inputs, `dimensions`, float or base64 encoding. */
export async function serveEmbeddings(request: HandlerRequest<EmbeddingsRequest, unknown, unknown>) {
  const out = await serveOperation(request, {
    serviceType: 'embedding',
    usageKind: 'embedding',
    shape: inputShape(request.body.input, { frames: itemsOf(request.body.input) }),
    invoke: invokeEmbeddings,
    cache: 'embeddings',
  });
  return new Reply(200, out.response, out.headers);
}

/** `POST /v1/rerank`: documents ordered by relevance to a query. */
export async function serveRerank(request: HandlerRequest<RerankRequest, unknown, unknown>) {
  const out = await serveOperation(request, {
    serviceType: 'rerank',
    usageKind: 'rerank',
    shape: inputShape([request.body.query, request.body.documents], {
      frames: 1 + request.body.documents.length,
    }),
    invoke: invokeRerank,
    cache: 'rerank',
  });
  return new Reply(200, out.response, out.headers);
}

/**
 * `POST /v1/audio/speech`: text to audio, passed on as the provider produces it (a streamed body:
 * locally and through API Gateway's STREAM integration alike, bytes as they are). Usage (the
 * input's characters) is known before the first byte; a client that leaves stops the upstream.
 */
export async function serveSpeech(request: HandlerRequest<SpeechRequest, unknown, unknown>) {
  const out = await serveOperation(request, {
    serviceType: 'speech',
    usageKind: 'tts',
    shape: speechShape(request.body.input),
    invoke: invokeSpeech,
    streamed: true,
  });
  const { audio, content_type } = out.response;
  return new Reply(200, Readable.from(audio, { objectMode: false }), {
    ...out.headers,
    'content-type': content_type,
  });
}

/** `POST /v1/audio/transcriptions`: a multipart audio upload transcribed to text. */
export async function serveTranscription(request: HandlerRequest<TranscriptionRequest, unknown, unknown>) {
  if (!request.body.file?.data?.length) {
    throw new ValidationError('The form is invalid.', {
      details: [{ field: 'file', message: 'an audio file is required' }],
    });
  }
  const out = await serveOperation(request, {
    serviceType: 'speech',
    usageKind: 'stt',
    shape: transcriptionShape(request.body.prompt, request.body.file.data),
    invoke: invokeTranscription,
    // text, srt and vtt answers carry no usage, yet the provider billed the audio's seconds.
    billedWithoutUsage: true,
  });
  const format = request.body.response_format;
  if (format === 'text' || format === 'srt' || format === 'vtt') {
    return new Reply(200, out.response.body_text ?? out.response.text, {
      ...out.headers,
      'content-type': 'text/plain; charset=utf-8',
    });
  }
  return new Reply(200, out.response, out.headers);
}

/**
 * `POST /v1/images/generations`: images as base64 or URLs, as the provider gives them. A size no
 * provider makes is refused before routing; one the routed model does not make, by its adapter
 * (both 400 naming `size`). Usage counts the images with their size and quality (and the tokens of
 * token-billed models), which cost uses.
 */
export async function serveImages(request: HandlerRequest<ImageGenerationRequest, unknown, unknown>) {
  const { body } = request;
  checkImageSizeBounds(body);
  const out = await serveOperation(request, {
    serviceType: 'image',
    usageKind: 'image',
    shape: imageGenerationShape(body.prompt, {
      images: body.n ?? 1,
      image_size: body.size === undefined || body.size === 'auto' ? DEFAULT_IMAGE_SIZE : body.size,
      image_quality: body.quality === undefined || body.quality === 'auto' ? 'standard' : body.quality,
    }),
    invoke: invokeImages,
  });
  return new Reply(200, out.response, out.headers);
}

/** The model a moderation request without one is served by (OpenAI's default). */
export const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';

/** `POST /v1/moderations`: a verdict per input; without a `model`, OpenAI's default moderation model. */
export async function serveModerations(
  request: HandlerRequest<Omit<ModerationRequest, 'model'> & { model?: string }, unknown, unknown>,
) {
  const body: ModerationRequest = { ...request.body, model: request.body.model ?? DEFAULT_MODERATION_MODEL };
  const out = await serveOperation(
    { ...request, body },
    {
      serviceType: 'moderation',
      usageKind: 'moderation',
      shape: inputShape(body.input, { frames: itemsOf(body.input) }),
      invoke: invokeModeration,
    },
  );
  return new Reply(200, out.response, out.headers);
}
