/*
 * The store's resize (resample.ts: alpha onto black, separable Lanczos-3, horizontal pass into
 * float32, vertical pass in double, rounded as Math.round) in WebAssembly with 128-bit SIMD,
 * giving the same bytes as the JavaScript: every sum is taken in the same order in double
 * (two rows, or two samples, side by side in one f64x2, never reassociated), and wasm has
 * no fused multiply-add to change a rounding. Build: scripts/build-resample-wasm.sh.
 */
#include <wasm_simd128.h>

typedef unsigned char u8;

/* The compiler may call memset for a loop that fills bytes; there is no libc here. */
void *memset(void *d, int c, unsigned long n) {
  volatile u8 *p = d;
  while (n--) *p++ = (u8)c;
  return d;
}

/* RGBA onto black: round(c * a / 255) as an integer (c·a/255 is never a tie, so no rounding rule matters). */
static void composite(const u8 *rgba, u8 *rgb, int n) {
  for (int i = 0; i < n; i++) {
    const u8 *s = rgba + 4 * i;
    u8 *d = rgb + 3 * i;
    int a = s[3];
    if (a == 255) {
      d[0] = s[0];
      d[1] = s[1];
      d[2] = s[2];
    } else {
      d[0] = (u8)((2 * s[0] * a + 255) / 510);
      d[1] = (u8)((2 * s[1] * a + 255) / 510);
      d[2] = (u8)((2 * s[2] * a + 255) / 510);
    }
  }
}

static inline v128_t clip255(v128_t v) {
  /* r < 0 ? 0 : r > 255 ? 255 : r, as the JavaScript clips between the passes. */
  v128_t zero = wasm_f64x2_splat(0.0);
  v128_t top = wasm_f64x2_splat(255.0);
  v = wasm_v128_bitselect(zero, v, wasm_f64x2_lt(v, zero));
  return wasm_v128_bitselect(top, v, wasm_f64x2_gt(v, top));
}

static inline double clip1(double v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

/*
 * Horizontal pass: rows y and y+1 in the two lanes (same taps, same order). Each row pair is
 * first widened to doubles side by side (pair[p] = {row y, row y+1} at sample p), so a tap is
 * one load; mid keeps each sum rounded to float32 (as the JavaScript's Float32Array does), held
 * as a double so the vertical pass loads it as it is.
 */
static void hpass(const u8 *rgb, double *mid, double *pair, int inW, int inH, int outW, const int *start, const int *count, const double *w, int maxTaps) {
  const int inRow = inW * 3;
  const int outRow = outW * 3;
  int y = 0;
  for (; y + 1 < inH; y += 2) {
    const u8 *r0 = rgb + y * inRow;
    const u8 *r1 = r0 + inRow;
    for (int p = 0; p < inRow; p++) {
      pair[2 * p] = r0[p];
      pair[2 * p + 1] = r1[p];
    }
    double *m0 = mid + y * outRow;
    double *m1 = m0 + outRow;
    for (int x = 0; x < outW; x++) {
      const int n = count[x];
      const double *wk = w + x * maxTaps;
      const double *s = pair + 2 * 3 * start[x];
      v128_t R = wasm_f64x2_splat(0.0), G = R, B = R;
      for (int k = 0; k < n; k++, s += 6) {
        v128_t ww = wasm_f64x2_splat(wk[k]);
        R = wasm_f64x2_add(R, wasm_f64x2_mul(wasm_v128_load(s), ww));
        G = wasm_f64x2_add(G, wasm_f64x2_mul(wasm_v128_load(s + 2), ww));
        B = wasm_f64x2_add(B, wasm_f64x2_mul(wasm_v128_load(s + 4), ww));
      }
      R = clip255(R);
      G = clip255(G);
      B = clip255(B);
      m0[3 * x] = (float)wasm_f64x2_extract_lane(R, 0);
      m0[3 * x + 1] = (float)wasm_f64x2_extract_lane(G, 0);
      m0[3 * x + 2] = (float)wasm_f64x2_extract_lane(B, 0);
      m1[3 * x] = (float)wasm_f64x2_extract_lane(R, 1);
      m1[3 * x + 1] = (float)wasm_f64x2_extract_lane(G, 1);
      m1[3 * x + 2] = (float)wasm_f64x2_extract_lane(B, 1);
    }
  }
  for (; y < inH; y++) {
    const u8 *r0 = rgb + y * inRow;
    double *m0 = mid + y * outRow;
    for (int x = 0; x < outW; x++) {
      const int n = count[x];
      const double *wk = w + x * maxTaps;
      int p = start[x] * 3;
      double r = 0, g = 0, b = 0;
      for (int k = 0; k < n; k++, p += 3) {
        r += r0[p] * wk[k];
        g += r0[p + 1] * wk[k];
        b += r0[p + 2] * wk[k];
      }
      m0[3 * x] = (float)clip1(r);
      m0[3 * x + 1] = (float)clip1(g);
      m0[3 * x + 2] = (float)clip1(b);
    }
  }
}

/* Math.round for v in (0, 255): the nearer integer, a half up. */
static inline v128_t roundHalfUp(v128_t v) {
  v128_t f = wasm_f64x2_floor(v);
  v128_t up = wasm_f64x2_ge(wasm_f64x2_sub(v, f), wasm_f64x2_splat(0.5));
  return wasm_f64x2_add(f, wasm_v128_and(up, wasm_f64x2_splat(1.0)));
}

static inline u8 toByte(double a) {
  if (a <= 0) return 0;
  if (a >= 255) return 255;
  double f = __builtin_floor(a);
  return (u8)(a - f >= 0.5 ? f + 1 : f);
}

/* Vertical pass: two neighbouring samples in the two lanes. */
static void vpass(const double *mid, u8 *out, int outW, int outH, const int *start, const int *count, const double *w, int maxTaps) {
  const int rowLen = outW * 3;
  for (int y = 0; y < outH; y++) {
    const int n = count[y];
    const double *wk = w + y * maxTaps;
    int i = 0;
    for (; i + 1 < rowLen; i += 2) {
      v128_t a = wasm_f64x2_splat(0.0);
      for (int k = 0; k < n; k++) {
        a = wasm_f64x2_add(a, wasm_f64x2_mul(wasm_v128_load(mid + (start[y] + k) * rowLen + i), wasm_f64x2_splat(wk[k])));
      }
      v128_t lo = wasm_f64x2_splat(0.0);
      v128_t hi = wasm_f64x2_splat(255.0);
      v128_t r = roundHalfUp(a);
      r = wasm_v128_bitselect(lo, r, wasm_f64x2_le(a, lo));
      r = wasm_v128_bitselect(hi, r, wasm_f64x2_ge(a, hi));
      out[y * rowLen + i] = (u8)wasm_f64x2_extract_lane(r, 0);
      out[y * rowLen + i + 1] = (u8)wasm_f64x2_extract_lane(r, 1);
    }
    for (; i < rowLen; i++) {
      double a = 0;
      for (int k = 0; k < n; k++) a += mid[(start[y] + k) * rowLen + i] * wk[k];
      out[y * rowLen + i] = toByte(a);
    }
  }
}

/*
 * The whole fit: rgba (inW×inH×4) → out (outW×outH×3). Scratch: rgb (inW×inH×3), mid
 * (outW×inH×3 doubles), pair (inW×3×2 doubles). Taps: start, count, weights (as doubles) per
 * output column / row. Every pointer to doubles is 8-aligned.
 */
__attribute__((export_name("fit"))) void fit(const u8 *rgba, u8 *rgb, double *mid, double *pair, u8 *out, int inW, int inH, int outW, int outH,
                                                const int *hStart, const int *hCount, const double *hW, int hMax,
                                                const int *vStart, const int *vCount, const double *vW, int vMax) {
  composite(rgba, rgb, inW * inH);
  hpass(rgb, mid, pair, inW, inH, outW, hStart, hCount, hW, hMax);
  vpass(mid, out, outW, outH, vStart, vCount, vW, vMax);
}

/* Only the composite (same-size images need no resize). */
__attribute__((export_name("composite"))) void compositeOnly(const u8 *rgba, u8 *rgb, int n) { composite(rgba, rgb, n); }
