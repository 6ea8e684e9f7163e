//go:build cgo

package cpu

/*
#cgo CFLAGS: -O3
#include "clones.h"

// The float32 backward row operations of rows_backward.go in C, so that gcc
// vectorises them (and the column sums of the bias gradients, at the end): one batch row of H units, g the row's saved gates r | z | n | hn
// (ResetAfter) or r | z | n | R⊙H (ResetBefore), hp the state before the step. Each
// element's arithmetic is the Go loop's, operation for operation and in the same
// order, except that in the x86-64-v3 clone (GOGRU_CLONES) gcc may contract a
// product and the sum or difference it feeds into one FMA (-ffp-contract=fast, GNU
// C's default, as for the forward passes in activation_cgo.go): 1 − n·n in da_n,
// and d·z + drh·r in bwd_before2's dh. An FMA rounds once where the Go loop rounds
// twice, so those results may differ from Go's by a few roundings of their terms'
// magnitudes (TestBackwardRowOpsMatchGo). The baseline (SSE2) clone has no FMA.

// gogru_bwd_after is one row of gru_bwd_after: with d = dh + dy,
// da_z = d(h − n)z(1−z), da_n = d(1−z)(1−n²), da_r = da_n·hn·r(1−r),
// dgx = [da_r | da_z | da_n], dgh = [da_r | da_z | da_n·r], dh = d·z.
GOGRU_CLONES static void gogru_bwd_after(float* restrict dgx, float* restrict dgh, float* restrict dh,
                                         const float* restrict g, const float* restrict hp,
                                         const float* restrict dy, long H) {
  for (long j = 0; j < H; j++) {
    float r = g[j], z = g[H + j], n = g[2 * H + j], hn = g[3 * H + j];
    float d = dh[j] + dy[j];
    float daz = d * (hp[j] - n) * z * (1 - z), dan = d * (1 - z) * (1 - n * n);
    float dar = dan * hn * r * (1 - r);
    dgx[j] = dar;
    dgx[H + j] = daz;
    dgx[2 * H + j] = dan;
    dgh[j] = dar;
    dgh[H + j] = daz;
    dgh[2 * H + j] = dan * r;
    dh[j] = d * z;
  }
}

// gogru_bwd_before1 is one row of gru_bwd_before1: with d = dh + dy,
// dgx[H:3H] = [da_z | da_n] as above, and dh = d for the second pass.
GOGRU_CLONES static void gogru_bwd_before1(float* restrict dgx, float* restrict dh, const float* restrict g,
                                           const float* restrict hp, const float* restrict dy, long H) {
  for (long j = 0; j < H; j++) {
    float z = g[H + j], n = g[2 * H + j];
    float d = dh[j] + dy[j];
    dgx[H + j] = d * (hp[j] - n) * z * (1 - z);
    dgx[2 * H + j] = d * (1 - z) * (1 - n * n);
    dh[j] = d;
  }
}

// gogru_bwd_before2 is one row of gru_bwd_before2, with drh = da_n·W_hnᵀ and dh
// holding d: dgx[:H] = da_r = drh·h·r(1−r), dh = d·z + drh·r.
GOGRU_CLONES static void gogru_bwd_before2(float* restrict dgx, float* restrict dh, const float* restrict g,
                                           const float* restrict hp, const float* restrict drh, long H) {
  for (long j = 0; j < H; j++) {
    float r = g[j], z = g[H + j];
    dgx[j] = drh[j] * hp[j] * r * (1 - r);
    dh[j] = dh[j] * z + drh[j] * r;
  }
}

// gogru_sum_rows adds the column sums of src [rows, cols] to dst [cols], and to dst2
// when it is not null, row by row in order: each sum gets the Go loop's additions in
// the Go loop's order, so the results are bit for bit the same.
GOGRU_CLONES static void gogru_sum_rows(float* restrict dst, float* restrict dst2, const float* restrict src,
                                        long rows, long cols) {
  for (long r = 0; r < rows; r++) {
    const float* row = src + r * cols;
    if (!dst2) {
      for (long j = 0; j < cols; j++) dst[j] += row[j];
      continue;
    }
    for (long j = 0; j < cols; j++) {
      dst[j] += row[j];
      dst2[j] += row[j];
    }
  }
}
*/
import "C"

// bwdAfterRow32 is bwdAfterRow32Go, vectorised in C.
func bwdAfterRow32(dgx, dgh, dh, g, hp, dy []float32) {
	H := len(dh)
	C.gogru_bwd_after(f32p(dgx[:3*H]), f32p(dgh[:3*H]), f32p(dh), f32p(g[:4*H]), f32p(hp[:H]), f32p(dy[:H]), C.long(H))
}

// bwdBefore1Row32 is bwdBefore1Row32Go, vectorised in C.
func bwdBefore1Row32(dgx, dh, g, hp, dy []float32) {
	H := len(dh)
	C.gogru_bwd_before1(f32p(dgx[:3*H]), f32p(dh), f32p(g[:4*H]), f32p(hp[:H]), f32p(dy[:H]), C.long(H))
}

// bwdBefore2Row32 is bwdBefore2Row32Go, vectorised in C.
func bwdBefore2Row32(dgx, dh, g, hp, drh []float32) {
	H := len(dh)
	C.gogru_bwd_before2(f32p(dgx[:3*H]), f32p(dh), f32p(g[:4*H]), f32p(hp[:H]), f32p(drh[:H]), C.long(H))
}

// sumRows32 is sumRows32Go, vectorised in C.
func sumRows32(dst, dst2, src []float32, rows, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	_ = src[rows*cols-1]
	var p2 *C.float
	if dst2 != nil {
		p2 = f32p(dst2[:cols])
	}
	C.gogru_sum_rows(f32p(dst[:cols]), p2, f32p(src), C.long(rows), C.long(cols))
}
