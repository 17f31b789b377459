/**
 * What an input image costs in tokens on OpenAI's models, by the rules of OpenAI's vision guide
 * ("Calculating costs", https://platform.openai.com/docs/guides/images-vision#calculating-costs):
 *
 * - Tile models: `detail: low` costs the base tokens; otherwise the image is scaled to fit 2048×2048,
 *   then (if its short side is longer) scaled so the short side is 768 px, and each 512 px tile
 *   costs the tile tokens, plus the base. Base/tile: `gpt-5`, `gpt-5-chat-latest` 70/140; `gpt-4o`,
 *   `gpt-4.1`, `gpt-4.5` and older vision models 85/170; `gpt-4o-mini` 2833/5667; `o1`, `o1-pro`,
 *   `o3` 75/150; `computer-use-preview` 65/129.
 * - Patch models (`gpt-5-mini`, `gpt-5-nano`, `gpt-4.1-mini`, `gpt-4.1-nano`, `o4-mini`): one patch per
 *   32×32 px; above 1536 patches the image is scaled down to fit 1536; the patches times the model's
 *   multiplier (1.62, 2.46, 1.62, 2.46, 1.72) are its tokens. `detail` does not apply.
 *
 * An image whose size is unknown (a remote URL: the gateway does not fetch it) is counted at the most
 * a model can charge for one image, and the count is then an estimate.
 */
import type { ImageSize } from '../generated-images.js';

type Rule = { kind: 'tiles'; base: number; tile: number } | { kind: 'patches'; multiplier: number };

const PATCH_MODELS: ReadonlyArray<[string, number]> = [
  ['gpt-5-mini', 1.62],
  ['gpt-5-nano', 2.46],
  ['gpt-4.1-mini', 1.62],
  ['gpt-4.1-nano', 2.46],
  ['o4-mini', 1.72],
];
const TILE_MODELS: ReadonlyArray<[string, { base: number; tile: number }]> = [
  ['gpt-4o-mini', { base: 2833, tile: 5667 }],
  ['gpt-5', { base: 70, tile: 140 }],
  ['o1', { base: 75, tile: 150 }],
  ['o3', { base: 75, tile: 150 }],
  ['computer-use-preview', { base: 65, tile: 129 }],
];
const DEFAULT_TILES = { base: 85, tile: 170 };
const PATCH = 32;
const MAX_PATCHES = 1536;
/** The most 512 px tiles one image can take after scaling (2048 × 768). */
const MAX_TILES = 8;

/** The counting rule of a model (exact prefix matches; unknown models use gpt-4o's tiles). */
export function imageRule(model: string): Rule & { known: boolean } {
  for (const [name, multiplier] of PATCH_MODELS)
    if (model.startsWith(name)) return { kind: 'patches', multiplier, known: true };
  for (const [name, tiles] of TILE_MODELS)
    if (model.startsWith(name)) return { kind: 'tiles', ...tiles, known: true };
  const known = /^(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo|chatgpt-4o)/.test(model);
  return { kind: 'tiles', ...DEFAULT_TILES, known };
}

function tileCount({ width, height }: ImageSize): number {
  let w = width;
  let h = height;
  const fit = Math.min(1, 2048 / Math.max(w, h));
  w *= fit;
  h *= fit;
  const shrink = Math.min(1, 768 / Math.min(w, h));
  w = Math.floor(w * shrink);
  h = Math.floor(h * shrink);
  return Math.ceil(w / 512) * Math.ceil(h / 512);
}

function patchCount({ width, height }: ImageSize): number {
  const patches = Math.ceil(width / PATCH) * Math.ceil(height / PATCH);
  if (patches <= MAX_PATCHES) return patches;
  const shrink = Math.sqrt((MAX_PATCHES * PATCH * PATCH) / (width * height));
  const wp = (width * shrink) / PATCH;
  const hp = (height * shrink) / PATCH;
  const adjusted = shrink * Math.min(Math.floor(wp) / wp, Math.floor(hp) / hp);
  return Math.ceil(Math.floor(width * adjusted) / PATCH) * Math.ceil(Math.floor(height * adjusted) / PATCH);
}

/**
 * The input tokens of one image for `model`.
 *
 * @param size - the image's pixel size, or `undefined` when unknown (counted at the maximum).
 * @param detail - the part's `detail` (`auto` and absent count as `high`).
 */
export function openAIImageTokens(
  model: string,
  size: ImageSize | undefined,
  detail: string | undefined,
): number {
  const rule = imageRule(model);
  if (rule.kind === 'patches')
    return Math.round((size === undefined ? MAX_PATCHES : patchCount(size)) * rule.multiplier);
  if (detail === 'low') return rule.base;
  return rule.base + rule.tile * (size === undefined ? MAX_TILES : tileCount(size));
}
