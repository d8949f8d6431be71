/**
 * OpenTelemetry GenAI semantic-convention attribute names accepted in usage events, mapped to
 * the canonical field they stand for. Integrators can forward span attributes as they are.
 * Other `gen_ai.*` attributes are ignored rather than rejected: instrumentations emit many
 * (operation name, temperature, finish reasons) that carry nothing Plafond measures.
 */
export const OTEL_GENAI_ALIASES = {
  'gen_ai.usage.input_tokens': 'inputTokens',
  'gen_ai.usage.output_tokens': 'outputTokens',
  'gen_ai.request.model': 'model',
  'gen_ai.response.model': 'responseModel',
  'gen_ai.provider.name': 'provider',
  /** Deprecated by the conventions in favour of gen_ai.provider.name; still widely emitted. */
  'gen_ai.system': 'provider',
  /** Names used before gen_ai.usage.input_tokens/output_tokens. */
  'gen_ai.usage.prompt_tokens': 'inputTokens',
  'gen_ai.usage.completion_tokens': 'outputTokens',
} as const;

export type OtelGenAiAttribute = keyof typeof OTEL_GENAI_ALIASES;
export const OTEL_GENAI_PREFIX = 'gen_ai.';

/** The canonical field an OpenTelemetry attribute name stands for, if it is one we map. */
export function otelGenAiField(attribute: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(OTEL_GENAI_ALIASES, attribute)
    ? OTEL_GENAI_ALIASES[attribute as OtelGenAiAttribute]
    : undefined;
}
