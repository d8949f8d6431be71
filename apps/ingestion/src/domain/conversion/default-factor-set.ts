// The factor set Plafond ships with. Every number cites where it comes from, here and in the
// `source` field that travels with the set (the same table is in docs/conversion.md). Figures
// marked "assumption" are derivations or choices, explained next to them.
import { parseFactorSet } from './factor-set.parse';
import type { FactorSet, FactorSetJson } from './factor-set.types';

const ECOLOGITS_METHOD =
  'EcoLogits methodology, github.com/genai-impact/ecologits docs/methodology/llm_inference.md ' +
  '@004ec9133b5e973029ffc039b3ac9731496a2fc0';
const ECOLOGITS_CODE =
  'github.com/genai-impact/ecologits ecologits/impacts/llm.py @00d1915eb2b292e0204470d38401d86d6543fdf9';
const ECOLOGITS_MODELS =
  'EcoLogits model repository, github.com/genai-impact/ecologits ecologits/data/models.json ' +
  '@0ae6821b5e927cb2ae30f357c6650c5eef7765af';
const GRID_SOURCE = `ADEME Base Empreinte figure as tabulated by the ${ECOLOGITS_METHOD} ("Some values of F_em per geographical area")`;
/** EcoLogits sizes GPUs as ceil(1.2 × P_total × 4 bits / 8 / 80 GB) (llm.py: quantisation 4 bits, A100 80 GB). */
const GPU_COUNT_RULE = `GPUs = ceil(1.2 × total parameters (B) × 4 / 8 / 80) per ${ECOLOGITS_CODE}`;

export const DEFAULT_FACTOR_SET_VERSION = 'plafond-default-2026.1';

export const DEFAULT_FACTOR_SET_JSON: FactorSetJson = {
  version: DEFAULT_FACTOR_SET_VERSION,
  // Assumption: a baseline for all history, so that late and back-filled usage always has a
  // set; later sets override it from their own effectiveFrom.
  effectiveFrom: '2000-01-01T00:00:00.000Z',
  description:
    'Plafond default factors: EcoLogits LLM inference model (energy per output token from active ' +
    'parameters, server share, PUE 1.2), ADEME grid intensities as used by EcoLogits, NVIDIA ' +
    'board power for GPU time.',
  // 1.2: EcoLogits' DATACENTER_PUE ("We typically use a PUE = 1.2 for hyperscaler data centers").
  pue: { value: '1.2', source: `${ECOLOGITS_METHOD}; DATACENTER_PUE = 1.2 in ${ECOLOGITS_CODE}` },
  gridIntensity: {
    // gCO2e/kWh, ADEME Base Empreinte via EcoLogits' table (world 590.4, EEA 509.4, USA 679.8,
    // China 1,057, France 81.3).
    world: { gramsCo2ePerKwh: '590.4', source: `${GRID_SOURCE}: Worldwide 590.4` },
    eea: { gramsCo2ePerKwh: '509.4', source: `${GRID_SOURCE}: Europe (EEA) 509.4` },
    us: { gramsCo2ePerKwh: '679.8', source: `${GRID_SOURCE}: USA 679.8` },
    cn: { gramsCo2ePerKwh: '1057', source: `${GRID_SOURCE}: China 1,057` },
    fr: { gramsCo2ePerKwh: '81.3', source: `${GRID_SOURCE}: France 81.3` },
  },
  parameterModel: {
    // α = 8.91e-5 Wh and β = 1.43e-3 Wh per output token (GPU energy fit on the LLM Perf
    // Leaderboard, A100 80 GB): 89.1 µWh per billion active parameters, 1430 µWh.
    gpuMicroWhPerTokenPerBillionParameters: '89.1',
    gpuMicroWhPerToken: '1430',
    // A = 8.02e-4 s and B = 2.23e-2 s of generation latency per output token.
    latencySecondsPerTokenPerBillionParameters: '0.000802',
    latencySecondsPerToken: '0.0223',
    // Derived: EcoLogits' server without GPUs draws 1 kW and holds 8 GPUs, so 1000 / 8 = 125 W
    // per GPU in use.
    serverWattsPerGpu: '125',
    source: `${ECOLOGITS_METHOD} (alpha 8.91e-5, beta 1.43e-3, A 8.02e-4, B 2.23e-2, W_server 1 kW, 8 GPUs installed)`,
  },
  models: {
    // Active parameters in billions from EcoLogits' model repository; gpus by its sizing rule.
    // 8.03 B → ceil(1.2 × 8.03 × 0.5 / 80) = 1 GPU
    'meta-llama/meta-llama-3.1-8b-instruct': {
      activeParametersBillions: '8.03',
      gpus: 1,
      source: `${ECOLOGITS_MODELS}: dense 8.03; ${GPU_COUNT_RULE}`,
    },
    // 70.55 B → ceil(1.2 × 70.55 × 0.5 / 80) = ceil(0.53) = 1 GPU
    'meta-llama/meta-llama-3.1-70b-instruct': {
      activeParametersBillions: '70.55',
      gpus: 1,
      source: `${ECOLOGITS_MODELS}: dense 70.55; ${GPU_COUNT_RULE}`,
    },
    // 405.85 B → ceil(1.2 × 405.85 × 0.5 / 80) = ceil(3.04) = 4 GPUs
    'meta-llama/meta-llama-3.1-405b-instruct': {
      activeParametersBillions: '405.85',
      gpus: 4,
      source: `${ECOLOGITS_MODELS}: dense 405.85; ${GPU_COUNT_RULE}`,
    },
    // 7.25 B → 1 GPU
    'mistralai/mistral-7b-instruct-v0.3': {
      activeParametersBillions: '7.25',
      gpus: 1,
      source: `${ECOLOGITS_MODELS}: dense 7.25; ${GPU_COUNT_RULE}`,
    },
    // mixture of experts: 12.9 B active of 46.7 B total → ceil(1.2 × 46.7 × 0.5 / 80) = 1 GPU
    'mistralai/mixtral-8x7b-instruct-v0.1': {
      activeParametersBillions: '12.9',
      gpus: 1,
      source: `${ECOLOGITS_MODELS}: moe active 12.9, total 46.7; ${GPU_COUNT_RULE}`,
    },
    // mixture of experts: 39.1 B active of 140.6 B total → ceil(1.2 × 140.6 × 0.5 / 80) = ceil(1.05) = 2
    'mistralai/mixtral-8x22b-instruct-v0.1': {
      activeParametersBillions: '39.1',
      gpus: 2,
      source: `${ECOLOGITS_MODELS}: moe active 39.1, total 140.6; ${GPU_COUNT_RULE}`,
    },
  },
  accelerators: {
    // Board power at its maximum (TDP): an upper bound of what a busy GPU draws. Assumption: GPU
    // time is counted at TDP; host servers are not included.
    'nvidia-a100-sxm': {
      watts: '400',
      source:
        'A100 SXM4 "400 W maximum", glennklockwood.com/garden/processors/A100 (citing NVIDIA A100 ' +
        'datasheet nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf)',
    },
    'nvidia-a100-pcie-80gb': {
      watts: '300',
      source: 'A100 PCIe 80GB TDP 300 W, thundercompute.com/blog/nvidia-a100-specs-full-guide',
    },
    'nvidia-a100-pcie-40gb': {
      watts: '250',
      source: 'A100 PCIe 40GB TDP 250 W, thundercompute.com/blog/nvidia-a100-specs-full-guide',
    },
    'nvidia-h100-sxm': {
      watts: '700',
      source:
        'H100 SXM5 "TDP: Up to 700W", hawkvelt.id.au/post/2024-08-04-nvidia-h100; also ' +
        'runpod.io/ai-faq/what-is-the-power-consumption-of-the-nvidia-h100-gpu',
    },
    'nvidia-h100-pcie': {
      watts: '350',
      source:
        'NVIDIA H100 PCIe Product Brief PB-11133-001_v02 (Nov 2022): "maximum thermal design ' +
        'power (TDP) level of 350 W"',
    },
  },
  aliases: {
    // Names without the organisation; the ISO 3166 alpha-3 codes EcoLogits uses for its mixes.
    models: {
      'meta-llama-3.1-8b-instruct': 'meta-llama/meta-llama-3.1-8b-instruct',
      'meta-llama-3.1-70b-instruct': 'meta-llama/meta-llama-3.1-70b-instruct',
      'meta-llama-3.1-405b-instruct': 'meta-llama/meta-llama-3.1-405b-instruct',
      'mistral-7b-instruct-v0.3': 'mistralai/mistral-7b-instruct-v0.3',
      'mixtral-8x7b-instruct-v0.1': 'mistralai/mixtral-8x7b-instruct-v0.1',
      'mixtral-8x22b-instruct-v0.1': 'mistralai/mixtral-8x22b-instruct-v0.1',
    },
    regions: { wor: 'world', eee: 'eea', usa: 'us', chn: 'cn', fra: 'fr' },
    // Assumption: an accelerator named without its form factor is the SXM part (the higher power).
    accelerators: { 'nvidia-a100': 'nvidia-a100-sxm', 'nvidia-h100': 'nvidia-h100-sxm' },
  },
  defaults: {
    // EcoLogits' default mix when the country is unknown is the worldwide average.
    region: 'world',
    // Assumption: an unknown model is rated as a 70 B dense model, mid-range of the table; the
    // breakdown says "fallback" so reports can show how much usage this covers.
    model: 'meta-llama/meta-llama-3.1-70b-instruct',
    // EcoLogits' reference hardware is the NVIDIA A100 80 GB (SXM4) of its energy fit.
    accelerator: 'nvidia-a100-sxm',
  },
};

function loadDefault(): FactorSet {
  const parsed = parseFactorSet(DEFAULT_FACTOR_SET_JSON);
  if (!parsed.ok) {
    throw new Error(`the default factor set is invalid: ${JSON.stringify(parsed.issues)}`);
  }
  return parsed.value;
}

/** plafond-default-2026.1, validated once at load. */
export const DEFAULT_FACTOR_SET: FactorSet = loadDefault();
