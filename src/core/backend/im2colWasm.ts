/**
 * im2col over the wasm backend's heap, in JavaScript: the tf-op ways to build it on wasm
 * (strided slices, gathers) copy element by element through generic index math and were
 * ~10x slower than this loop, which reads and writes the heap's float32 views directly.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import { heapOutput } from './kernelTensors';

export interface Im2colGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  /** Zero rows above and columns left of the input (the conv's padding). */
  padTop: number;
  padLeft: number;
}

/**
 * colT[(kh·KW + kw)·CI + ci, (b·OH + oh)·OW + ow] = x[b, oh·sH + kh − top, ow·sW + kw − left, ci], zero
 * outside x: the transposed im2col, K = KH·KW·CI rows by P = B·OH·OW columns, so that the
 * filter gradient is one plain product colT · dy[P, CO]. Built one output row (b, oh) at a
 * time, so the input it reads (KH rows) stays in cache while its K short runs are written.
 */
export function im2colTransposed(x: TensorInfo, g: Im2colGeometry, backend: KernelBackend): tf.Tensor2D {
  const { batch, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, padTop, padLeft } = g;
  const K = KH * KW * CI;
  const P = batch * OH * OW;
  const { out, outView: col, views } = heapOutput(backend, [K, P], [x]);
  const xv = views[0]!;
  // Per kw, the output columns whose input column lies inside x.
  const owLo: number[] = [];
  const owHi: number[] = [];
  for (let kw = 0; kw < KW; kw++) {
    const lo = Math.max(0, Math.ceil((padLeft - kw) / sW));
    const hi = Math.min(OW, Math.floor((W - 1 + padLeft - kw) / sW) + 1);
    owLo.push(lo);
    owHi.push(Math.max(lo, hi));
  }
  const rowStride = W * CI;
  const step = sW * CI;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const p0 = (b * OH + oh) * OW;
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * sH + kh - padTop;
        const inside = ih >= 0 && ih < H;
        const rowBase = (b * H + ih) * rowStride;
        for (let kw = 0; kw < KW; kw++) {
          const lo = owLo[kw]!;
          const hi = owHi[kw]!;
          for (let ci = 0; ci < CI; ci++) {
            const o = ((kh * KW + kw) * CI + ci) * P + p0;
            if (!inside) {
              col.fill(0, o, o + OW);
              continue;
            }
            if (lo > 0) col.fill(0, o, o + lo);
            let src = rowBase + (lo * sW + kw - padLeft) * CI + ci;
            for (let ow = lo; ow < hi; ow++, src += step) col[o + ow] = xv[src]!;
            if (hi < OW) col.fill(0, o + hi, o + OW);
          }
        }
      }
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out, backend) as tf.Tensor2D;
}

/**
 * The inverse scatter: dx[b, ih, iw, ci] = Σ dcol[(b·OH + oh)·OW + ow, (kh·KW + kw)·CI + ci] over
 * every (oh, ow, kh, kw) whose tap reads (ih, iw); taps on the padding are dropped. With
 * dcol = dy · Wᵀ this is the conv's input gradient. Reads dcol and writes dx in runs of CI.
 */
export function col2imSum(dcol: TensorInfo, g: Im2colGeometry, backend: KernelBackend): tf.Tensor4D {
  const { batch, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, padTop, padLeft } = g;
  const K = KH * KW * CI;
  const { out, outView: dx, views } = heapOutput(backend, [batch, H, W, CI], [dcol]);
  const col = views[0]!;
  // The heap's new memory is not cleared.
  dx.fill(0);
  let row = 0;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, row += K) {
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sH + kh - padTop;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sW + kw - padLeft;
            if (iw < 0 || iw >= W) continue;
            const dst = ((b * H + ih) * W + iw) * CI;
            const src = row + (kh * KW + kw) * CI;
            for (let ci = 0; ci < CI; ci++) dx[dst + ci] = dx[dst + ci]! + col[src + ci]!;
          }
        }
      }
    }
  }
  return tf.engine().makeTensorFromTensorInfo(out, backend) as tf.Tensor4D;
}
