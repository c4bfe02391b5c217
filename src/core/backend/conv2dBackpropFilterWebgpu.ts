/**
 * Conv2DBackpropFilter (the filter gradient of conv2d) for the webgpu backend, as a tiled
 * matrix product with the reduction split over workgroups.
 *
 * tfjs-backend-webgpu 4.22 runs one thread per filter weight, each looping over
 * batch × output height × output width. A conv layer near the input has few weights
 * (3×3×3×16 = 432) and many output pixels, so a GPU gets a few hundred busy threads
 * doing tens of thousands of steps each.
 *
 * Here, with K = KH·KW·CI, N = CO and M = B·OH·OW:
 *   dW[k, n] = Σ_m A[m, k] · dy[m, n],  A[m, k] = x[b, oh·s + kh − pad, ow·s + kw − pad, ci]
 * i.e. im2col(x)ᵀ · dy, with the im2col read on the fly (nothing the size of im2col(x) is
 * stored). Each workgroup computes a 32×32 tile of dW (32×16 for up to 16 output channels) over one chunk of M through workgroup
 * memory; the chunks' partial tiles are then summed by a second, elementwise pass. The
 * number of chunks grows until there are about a thousand workgroups, so that a layer with
 * a small filter still fills the GPU, and the partial sums stay a few MB at most.
 *
 * Written against the backend's program interface (runWebGPUProgram), which adds the
 * bindings, the uniforms it lists and the shape uniforms; no WebGPU types are needed.
 */
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type DataType,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';

/** What this kernel needs of tfjs-backend-webgpu's program interface (webgpu_program.ts). */
export interface WebgpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms?: string;
  /** Adds `size` (the output's element count) to the uniforms. */
  size?: boolean;
  getUserCode(): string;
}

export type ProgramUniform = Array<{ type: 'int32' | 'uint32' | 'float32'; data: number[] }>;

export interface WebgpuBackendLike extends KernelBackend {
  runWebGPUProgram(program: WebgpuProgram, inputs: TensorInfo[], outputDtype: DataType, uniforms?: ProgramUniform): TensorInfo;
}

/** Tile edge along K (filter taps × input channels); 16 × 16 threads, two rows of K each. */
const TILE_K = 32;
/** Rows of M (output pixels) per pass through workgroup memory. */
const TILE_M = 16;
const THREADS = 16;
/** Chunks of M are added until the dispatch has about this many workgroups... */
const TARGET_WORKGROUPS = 1024;
/** ...but no chunk is shorter than this (a workgroup must do enough work to pay for its partial tile). */
const MIN_CHUNK = 256;

export interface SplitPlan {
  /** Number of chunks M is split into (the partial tiles summed afterwards). */
  splits: number;
  /** Rows of M per chunk, a multiple of TILE_M. */
  chunk: number;
  /** Tile edge along N: 16 for a layer of up to 16 output channels (no half-empty tiles), else 32. */
  tileN: 16 | 32;
  tilesK: number;
  tilesN: number;
}

/** How the reduction over M = B·OH·OW is split for a K × N filter gradient. */
export function planSplit(m: number, k: number, n: number): SplitPlan {
  const tileN = n <= 16 ? 16 : 32;
  const tilesK = Math.ceil(k / TILE_K);
  const tilesN = Math.ceil(n / tileN);
  const wanted = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / (tilesK * tilesN)), Math.ceil(m / MIN_CHUNK)));
  const chunk = Math.ceil(Math.ceil(m / wanted) / TILE_M) * TILE_M;
  return { splits: Math.ceil(m / chunk), chunk, tileN, tilesK, tilesN };
}

class FilterGradTiledProgram implements WebgpuProgram {
  variableNames = ['x', 'dy'];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [THREADS, THREADS, 1];
  uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, inSize : vec2<i32>, outSize : vec2<i32>, filterWidth : i32, inChannels : i32, dimK : i32, dimN : i32, dimM : i32, chunk : i32,';
  private tileN: number;

  constructor(outputShape: number[], plan: SplitPlan) {
    this.outputShape = outputShape;
    this.tileN = plan.tileN;
    this.shaderKey = `conv2dFilterGradTiled_${plan.tileN}`;
    // x: tiles of N, y: tiles of K, z: chunks of M.
    this.dispatch = [plan.tilesN, plan.tilesK, plan.splits];
  }

  getUserCode(): string {
    const cols = this.tileN / THREADS;
    const rows = TILE_K / THREADS;
    const loads = (tile: number) => (TILE_M * tile) / (THREADS * THREADS);
    const load = (name: string, read: string, tile: number, base: string) => `
      for (var i = 0; i < ${loads(tile)}; i++) {
        let e = flat + i * ${THREADS * THREADS};
        let row = e / ${tile};
        let col = e - row * ${tile};
        ${name}[row][col] = ${read}(m0 + row, ${base} + col, mEnd);
      }`;
    const pairs: Array<[number, number]> = [];
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) pairs.push([r, c]);
    return `
  var<workgroup> tileA : array<array<f32, ${TILE_K}>, ${TILE_M}>;
  var<workgroup> tileB : array<array<f32, ${this.tileN}>, ${TILE_M}>;

  // im2col(x)[m, k] read in place: zero outside the chunk, the filter and the padded input.
  fn readA(m : i32, k : i32, mEnd : i32) -> f32 {
    if (m >= mEnd || k >= uniforms.dimK) { return 0.0; }
    let pixels = uniforms.outSize.x * uniforms.outSize.y;
    let b = m / pixels;
    let p = m - b * pixels;
    let oh = p / uniforms.outSize.y;
    let ow = p - oh * uniforms.outSize.y;
    let tapRow = uniforms.filterWidth * uniforms.inChannels;
    let kh = k / tapRow;
    let q = k - kh * tapRow;
    let kw = q / uniforms.inChannels;
    let ci = q - kw * uniforms.inChannels;
    let ih = oh * uniforms.strides.x + kh - uniforms.pads.x;
    let iw = ow * uniforms.strides.y + kw - uniforms.pads.y;
    if (ih < 0 || ih >= uniforms.inSize.x || iw < 0 || iw >= uniforms.inSize.y) { return 0.0; }
    return x[((b * uniforms.inSize.x + ih) * uniforms.inSize.y + iw) * uniforms.inChannels + ci];
  }

  fn readB(m : i32, n : i32, mEnd : i32) -> f32 {
    if (m >= mEnd || n >= uniforms.dimN) { return 0.0; }
    return dy[m * uniforms.dimN + n];
  }

  fn writeOut(split : i32, k : i32, n : i32, value : f32) {
    if (k < uniforms.dimK && n < uniforms.dimN) {
      result[(split * uniforms.dimK + k) * uniforms.dimN + n] = value;
    }
  }

  fn main() {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let flat = ty * ${THREADS} + tx;
    let n0 = i32(workgroupId.x) * ${this.tileN};
    let k0 = i32(workgroupId.y) * ${TILE_K};
    let split = i32(workgroupId.z);
    let mStart = split * uniforms.chunk;
    let mEnd = min(mStart + uniforms.chunk, uniforms.dimM);

    ${pairs.map(([r, c]) => `var acc${r}${c} = 0.0;`).join('\n    ')}
    // The trip count comes from uniforms only, so every barrier is in uniform control flow.
    let passes = uniforms.chunk / ${TILE_M};
    for (var t = 0; t < passes; t++) {
      let m0 = mStart + t * ${TILE_M};
      ${load('tileA', 'readA', TILE_K, 'k0')}
      ${load('tileB', 'readB', this.tileN, 'n0')}
      workgroupBarrier();
      for (var r = 0; r < ${TILE_M}; r++) {
        ${Array.from({ length: rows }, (_, i) => `let a${i} = tileA[r][ty + ${i * THREADS}];`).join('\n        ')}
        ${Array.from({ length: cols }, (_, j) => `let b${j} = tileB[r][tx + ${j * THREADS}];`).join('\n        ')}
        ${pairs.map(([i, j]) => `acc${i}${j} = fma(a${i}, b${j}, acc${i}${j});`).join('\n        ')}
      }
      workgroupBarrier();
    }
    ${pairs.map(([i, j]) => `writeOut(split, k0 + ty + ${i * THREADS}, n0 + tx + ${j * THREADS}, acc${i}${j});`).join('\n    ')}
  }`;
  }
}

/** out[i] = Σ_s partials[s, i]: the chunks' partial filter gradients added up. */
class SumSplitsProgram implements WebgpuProgram {
  variableNames = ['partials'];
  outputShape: number[];
  shaderKey = 'conv2dFilterGradSumSplits';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  uniforms = 'splits : i32,';
  size = true;

  constructor(outputShape: number[]) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const size = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(size / 64), 1, 1];
  }

  getUserCode(): string {
    return `
  fn main(index : i32) {
    if (index < uniforms.size) {
      var sum = 0.0;
      for (var s = 0; s < uniforms.splits; s++) {
        sum = sum + partials[s * uniforms.size + index];
      }
      result[index] = sum;
    }
  }`;
  }
}

type Args = { inputs: { x: TensorInfo; dy: TensorInfo }; backend: WebgpuBackendLike; attrs: Conv2DBackpropFilterAttrs };

/** The tiled kernel; `fallback` (tfjs's own) takes the cases it does not cover. */
export function conv2dBackpropFilterWebgpuConfig(fallback?: KernelConfig): KernelConfig {
  const kernelFunc = (args: Args): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x, dy } = inputs;
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
    if (dataFormat !== 'NHWC' || x.dtype !== 'float32' || dy.dtype !== 'float32') {
      if (fallback) return fallback.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
      throw new Error(`Conv2DBackpropFilter on webgpu: this kernel takes float32 NHWC data, got ${x.dtype} ${dataFormat}.`);
    }
    const info = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const k = info.filterHeight * info.filterWidth * info.inChannels;
    const n = info.outChannels;
    const m = info.batchSize * info.outHeight * info.outWidth;
    const plan = planSplit(m, k, n);
    const single = plan.splits === 1;
    // One chunk writes the gradient itself (same flat layout); more write partial tiles.
    const program = new FilterGradTiledProgram(single ? filterShape : [plan.splits, k * n], plan);
    const uniforms: ProgramUniform = [
      { type: 'int32', data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32', data: [info.strideHeight, info.strideWidth] },
      { type: 'int32', data: [info.inHeight, info.inWidth] },
      { type: 'int32', data: [info.outHeight, info.outWidth] },
      { type: 'int32', data: [info.filterWidth] },
      { type: 'int32', data: [info.inChannels] },
      { type: 'int32', data: [k] },
      { type: 'int32', data: [n] },
      { type: 'int32', data: [m] },
      { type: 'int32', data: [plan.chunk] },
    ];
    const out = backend.runWebGPUProgram(program, [x, dy], 'float32', uniforms);
    if (single) return out;
    const summed = backend.runWebGPUProgram(new SumSplitsProgram(filterShape), [out], 'float32', [{ type: 'int32', data: [plan.splits] }]);
    backend.disposeData(out.dataId);
    return summed;
  };
  return { kernelName: Conv2DBackpropFilter, backendName: 'webgpu', kernelFunc: kernelFunc as unknown as KernelFunc };
}
