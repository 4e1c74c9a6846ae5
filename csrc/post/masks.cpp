#include "post/masks.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/unfused.h"
#include "kernels/dispatch.h"
#include "pre/linear_taps.h"

namespace edgecnn {

namespace {

// Pixels [begin, end) of a mask row.
struct PixelSpan {
  int64_t begin, end;
};

// Per-thread scratch of the mask passes, grown as instances need.
struct MaskScratch {
  std::vector<LinearTap> taps_x, taps_y;
  std::vector<float> grid, tmp, row, w0s, w1s, wy0s, wy1s;
  std::vector<int32_t> i0s, i1s;
  std::vector<TapRun> runs;
  std::vector<PixelSpan> spans;
  std::vector<uint8_t> shared_row;
};

// Taps of a region's columns (or rows) that read only the source cells
// [lo, hi) they need: returns lo and shifts the taps to be relative to it.
int64_t rebase_taps(std::vector<LinearTap>& taps, int64_t* hi) {
  const int64_t lo = taps.front().i0;
  *hi = taps.back().i1 + 1;  // taps only move forward
  for (LinearTap& t : taps) {
    t.i0 -= lo;
    t.i1 -= lo;
  }
  return lo;
}

// torchvision's integer paste box: the box scaled by (M + 2) / M about its
// centre, in float32 as the tensors are, then truncated toward zero.
struct PasteBox {
  int64_t x0, y0, x1, y1;
};

PasteBox paste_box(const float* box, int64_t mask_size) {
  const float scale = static_cast<float>(static_cast<double>(mask_size + 2) / static_cast<double>(mask_size));
  float w_half = (box[2] - box[0]) * 0.5f;
  float h_half = (box[3] - box[1]) * 0.5f;
  const float x_c = (box[2] + box[0]) * 0.5f;
  const float y_c = (box[3] + box[1]) * 0.5f;
  w_half *= scale;
  h_half *= scale;
  return {static_cast<int64_t>(x_c - w_half), static_cast<int64_t>(y_c - h_half), static_cast<int64_t>(x_c + w_half),
          static_cast<int64_t>(y_c + h_half)};
}

// [begin, end) clipped into [0, size], origin kept inside when empty.
void clip_span(int64_t begin, int64_t end, int64_t size, int64_t* origin, int64_t* extent) {
  *origin = std::clamp<int64_t>(begin, 0, size);
  *extent = std::max<int64_t>(0, std::min(end, size) - *origin);
}

}  // namespace

namespace scalar {

void mask_logits_rows(const float* p, size_t row_stride, size_t plane, const float* coeffs, size_t num_protos,
                      size_t rows, size_t n, float* g) {
  for (size_t r = 0; r < rows; ++r) {
    float* gr = g + r * n;
    for (size_t x = 0; x < n; ++x) gr[x] = 0.0f;
    for (size_t k = 0; k < num_protos; ++k) {
      const float ck = coeffs[k];
      const float* pk = p + k * plane + r * row_stride;
      for (size_t x = 0; x < n; ++x) gr[x] += unfused(ck * pk[x]);
    }
  }
}

void mask_rows_positive(const float* r0, const float* r1, const float* wy0, const float* wy1, size_t rows,
                        int32_t /*cols*/, const int32_t* i0, const int32_t* i1, const float* w0, const float* w1,
                        size_t n, uint8_t* m, size_t ldm) {
  for (size_t r = 0; r < rows; ++r)
    for (size_t x = 0; x < n; ++x) {
      const float v0 = unfused(r0[i0[x]] * wy0[r]) + unfused(r1[i0[x]] * wy1[r]);
      const float v1 = unfused(r0[i1[x]] * wy0[r]) + unfused(r1[i1[x]] * wy1[r]);
      m[r * ldm + x] = static_cast<uint8_t>(unfused(v0 * w0[x]) + unfused(v1 * w1[x]) > 0.0f);
    }
}

}  // namespace scalar

namespace {

const MaskKernels kMaskKernels[] = {
    {Isa::kScalar, "mask_scalar", &scalar::mask_logits_rows, &scalar::mask_rows_positive},
    EDGECNN_IF_ARCH_x86({Isa::kAvx2, "mask_avx2", &avx2::mask_logits_rows, &avx2::mask_rows_positive},
                        {Isa::kAvx512, "mask_avx512", &avx512::mask_logits_rows, &avx512::mask_rows_positive}, )};

}  // namespace

const MaskKernels& mask_kernels(Isa isa) { return best_kernel_at_most(kMaskKernels, isa); }

MaskRegion box_region(const float* box, int64_t frame_h, int64_t frame_w) {
  MaskRegion r;
  clip_span(static_cast<int64_t>(std::floor(box[0])), static_cast<int64_t>(std::ceil(box[2])), frame_w, &r.x0,
            &r.width);
  clip_span(static_cast<int64_t>(std::floor(box[1])), static_cast<int64_t>(std::ceil(box[3])), frame_h, &r.y0,
            &r.height);
  return r;
}

void validate_boxes(const float* boxes, int64_t n, const std::string& who) {
  constexpr float kLimit = 1073741824.0f;  // 2^30
  for (int64_t i = 0; i < 4 * n; ++i)
    if (!(std::fabs(boxes[i]) < kLimit))
      throw ArgumentError(who + ": box " + std::to_string(i / 4) + " has a coordinate that is not finite or beyond " +
                          "2^30 (" + std::to_string(boxes[i]) + ")");
}

void validate_regions(const MaskRegion* regions, int64_t n, int64_t frame_h, int64_t frame_w, const std::string& who) {
  if (frame_h < 1 || frame_w < 1)
    throw ArgumentError(who + ": frame size must be >= 1, got " + std::to_string(frame_h) + "x" +
                        std::to_string(frame_w));
  for (int64_t i = 0; i < n; ++i) {
    const MaskRegion& r = regions[i];
    if (r.x0 < 0 || r.y0 < 0 || r.width < 0 || r.height < 0 || r.x0 + r.width > frame_w ||
        r.y0 + r.height > frame_h)
      throw ArgumentError(who + ": mask " + std::to_string(i) + " (" + std::to_string(r.height) + "x" +
                          std::to_string(r.width) + " at x0=" + std::to_string(r.x0) + ", y0=" + std::to_string(r.y0) +
                          ") does not fit in the " + std::to_string(frame_h) + "x" + std::to_string(frame_w) +
                          " frame");
  }
}

std::vector<MaskRegion> proto_mask_regions(const ProtoMaskInput& in) {
  const std::string who = "yolo_proto_masks";
  if (in.num_instances < 0 || in.num_protos < 1 || in.proto_h < 1 || in.proto_w < 1)
    throw ArgumentError(who + ": needs coefficients (N, nm) and prototypes (nm, h, w) with nm, h, w >= 1");
  if (in.proto_w > INT32_MAX)
    throw ArgumentError(who + ": prototype grid is " + std::to_string(in.proto_w) + " wide, more than 2^31 - 1");
  if (in.input_h < 1 || in.input_w < 1 || in.frame_h < 1 || in.frame_w < 1)
    throw ArgumentError(who + ": input and frame sizes must be >= 1");
  validate_transform(in.transform, who);
  validate_boxes(in.boxes, in.num_instances, who);
  std::vector<MaskRegion> regions(static_cast<size_t>(in.num_instances));
  for (int64_t i = 0; i < in.num_instances; ++i) regions[i] = box_region(in.boxes + 4 * i, in.frame_h, in.frame_w);
  return regions;
}

void yolo_proto_masks(const ProtoMaskInput& in, const MaskRegion* regions, uint8_t* const* masks, ThreadPool& pool,
                      Isa isa) {
  const MaskKernels& kernels = mask_kernels(isa);
  const GridAxis ax = grid_axis(in.transform.scale_x, in.transform.pad_x, in.frame_w, in.input_w, in.proto_w);
  const GridAxis ay = grid_axis(in.transform.scale_y, in.transform.pad_y, in.frame_h, in.input_h, in.proto_h);
  const int64_t proto_plane = in.proto_h * in.proto_w;
  // Largest regions first: the threads' last tasks are then the small ones,
  // so they finish close together.
  std::vector<int64_t> order(static_cast<size_t>(in.num_instances));
  for (int64_t i = 0; i < in.num_instances; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return regions[a].width * regions[a].height > regions[b].width * regions[b].height;
  });
  std::vector<MaskScratch> scratch(static_cast<size_t>(pool.num_threads()));
  pool.run(in.num_instances, [&](int64_t task, int thread) {
    const int64_t i = order[task];
    const MaskRegion& r = regions[i];
    if (r.width == 0 || r.height == 0) return;
    MaskScratch& s = scratch[thread];
    s.taps_x.resize(r.width);
    s.taps_y.resize(r.height);
    linear_taps(r.x0, r.width, ax.step, ax.offset, ax.lo, ax.hi, s.taps_x.data());
    linear_taps(r.y0, r.height, ay.step, ay.offset, ay.lo, ay.hi, s.taps_y.data());
    int64_t col_hi, row_hi;
    const int64_t col_lo = rebase_taps(s.taps_x, &col_hi), row_lo = rebase_taps(s.taps_y, &row_hi);
    const int64_t gw = col_hi - col_lo, gh = row_hi - row_lo;

    // The instance's logits over the prototype cells [row_lo, row_hi) x
    // [col_lo, col_hi), row-major with stride gw.
    s.grid.resize(static_cast<size_t>(gh * gw));
    const float* coeffs = in.coeffs + i * in.num_protos;
    kernels.logits_rows(in.protos + row_lo * in.proto_w + col_lo, static_cast<size_t>(in.proto_w),
                        static_cast<size_t>(proto_plane), coeffs, static_cast<size_t>(in.num_protos),
                        static_cast<size_t>(gh), static_cast<size_t>(gw), s.grid.data());

    // Columns whose centre is inside the box: one interval [in_lo, in_hi).
    const float* box = in.boxes + 4 * i;
    int64_t in_lo = r.width, in_hi = 0;
    for (int64_t x = 0; x < r.width; ++x) {
      const double cx = static_cast<double>(r.x0 + x) + 0.5;
      if (box[0] <= cx && cx < box[2]) {
        in_lo = std::min(in_lo, x);
        in_hi = x + 1;
      }
    }
    // Runs of columns sharing their two source cells (about 8 pixels each
    // for a 160-cell grid on a 1280-pixel frame). Along a run the sample is
    // a blend of the same two values with non-negative weights, so when
    // both are > 1e-30 (the margin keeps a tiny value times a weight from
    // rounding to 0) or both are <= 0 the whole run has that sign; only
    // runs across a sign change (or with a NaN) are sampled pixel by pixel.
    tap_runs(s.taps_x.data(), r.width, &s.runs);
    s.i0s.resize(r.width);
    s.i1s.resize(r.width);
    s.w0s.resize(r.width);
    s.w1s.resize(r.width);
    for (int64_t x = 0; x < r.width; ++x) {  // taps rebased into [0, gw): int32
      s.i0s[x] = static_cast<int32_t>(s.taps_x[x].i0);
      s.i1s[x] = static_cast<int32_t>(s.taps_x[x].i1);
      s.w0s[x] = s.taps_x[x].w0;
      s.w1s[x] = s.taps_x[x].w1;
    }
    s.shared_row.resize(r.width);
    // Output rows with the same two source rows (about 8 per grid row on a
    // 720-pixel frame) share what the run's four source values decide:
    // all > 1e-30 sets the whole run (a sample is a blend of blends, each
    // with weights summing to 1, so it stays > 1e-30 / 4 > 0), all <= 0
    // clears it. Those rows start from that row (shared_row, cut to the box's
    // columns); the other runs, merged where adjacent and cut to the box's
    // columns (`spans`), go through the per-pixel kernel.
    // Consecutive rows with the same source pair inside the box go through
    // the kernel together (one call per span for all of them).
    s.wy0s.resize(r.height);
    s.wy1s.resize(r.height);
    for (int64_t y = 0; y < r.height; ++y) {
      s.wy0s[y] = s.taps_y[y].w0;
      s.wy1s[y] = s.taps_y[y].w1;
    }
    const auto inside = [&](int64_t y) {
      const double cy = static_cast<double>(r.y0 + y) + 0.5;
      return box[1] <= cy && cy < box[3] && in_lo < in_hi;
    };
    int64_t pair0 = -1, pair1 = -1;
    for (int64_t y = 0; y < r.height;) {
      if (!inside(y)) {
        std::memset(masks[i] + y * r.width, 0, static_cast<size_t>(r.width));
        ++y;
        continue;
      }
      const LinearTap& ty = s.taps_y[y];
      int64_t y_end = y + 1;
      while (y_end < r.height && s.taps_y[y_end].i0 == ty.i0 && s.taps_y[y_end].i1 == ty.i1 && inside(y_end)) ++y_end;
      const float* r0 = s.grid.data() + ty.i0 * gw;
      const float* r1 = s.grid.data() + ty.i1 * gw;
      if (ty.i0 != pair0 || ty.i1 != pair1) {
        pair0 = ty.i0;
        pair1 = ty.i1;
        s.spans.clear();
        uint8_t* shared = s.shared_row.data();
        std::memset(shared, 0, static_cast<size_t>(r.width));
        for (const TapRun& run : s.runs) {
          const float v0 = r0[run.i0], v1 = r0[run.i1], v2 = r1[run.i0], v3 = r1[run.i1];
          if (v0 > 1e-30f && v1 > 1e-30f && v2 > 1e-30f && v3 > 1e-30f) {
            std::memset(shared + run.begin, 1, static_cast<size_t>(run.end - run.begin));
          } else if (!(v0 <= 0.0f && v1 <= 0.0f && v2 <= 0.0f && v3 <= 0.0f)) {
            const int64_t begin = std::max(run.begin, in_lo), end = std::min(run.end, in_hi);
            if (begin >= end) continue;
            if (!s.spans.empty() && s.spans.back().end == begin)
              s.spans.back().end = end;
            else
              s.spans.push_back(PixelSpan{begin, end});
          }
        }
        std::memset(shared, 0, static_cast<size_t>(in_lo));
        std::memset(shared + in_hi, 0, static_cast<size_t>(r.width - in_hi));
      }
      uint8_t* m = masks[i] + y * r.width;
      for (int64_t yy = y; yy < y_end; ++yy)
        std::memcpy(masks[i] + yy * r.width, s.shared_row.data(), static_cast<size_t>(r.width));
      for (const PixelSpan& span : s.spans) {
        const int64_t b = span.begin;
        kernels.positive_rows(r0, r1, s.wy0s.data() + y, s.wy1s.data() + y, static_cast<size_t>(y_end - y),
                              static_cast<int32_t>(gw), s.i0s.data() + b, s.i1s.data() + b, s.w0s.data() + b,
                              s.w1s.data() + b, static_cast<size_t>(span.end - b), m + b,
                              static_cast<size_t>(r.width));
      }
      y = y_end;
    }
  });
}

std::vector<MaskRegion> paste_mask_regions(const PasteMaskInput& in) {
  const std::string who = "paste_masks_box_local";
  if (in.num_instances < 0 || in.mask_size < 1)
    throw ArgumentError(who + ": masks must be (N, M, M) with M >= 1");
  if (in.frame_h < 1 || in.frame_w < 1) throw ArgumentError(who + ": frame size must be >= 1");
  validate_boxes(in.boxes, in.num_instances, who);
  std::vector<MaskRegion> regions(static_cast<size_t>(in.num_instances));
  for (int64_t i = 0; i < in.num_instances; ++i) {
    const PasteBox b = paste_box(in.boxes + 4 * i, in.mask_size);
    MaskRegion& r = regions[i];
    clip_span(b.x0, b.x1 + 1, in.frame_w, &r.x0, &r.width);
    clip_span(b.y0, b.y1 + 1, in.frame_h, &r.y0, &r.height);
  }
  return regions;
}

void paste_masks(const PasteMaskInput& in, const MaskRegion* regions, uint8_t* const* masks, ThreadPool& pool) {
  const int64_t m = in.mask_size, padded = m + 2;
  std::vector<MaskScratch> scratch(static_cast<size_t>(pool.num_threads()));
  pool.run(in.num_instances, [&](int64_t i, int thread) {
    const MaskRegion& r = regions[i];
    if (r.width == 0 || r.height == 0) return;
    MaskScratch& s = scratch[thread];
    const PasteBox b = paste_box(in.boxes + 4 * i, m);
    const int64_t w = std::max<int64_t>(b.x1 - b.x0 + 1, 1), h = std::max<int64_t>(b.y1 - b.y0 + 1, 1);
    // The mask with a border of zero cells: (M + 2) x (M + 2).
    s.grid.assign(static_cast<size_t>(padded * padded), 0.0f);
    for (int64_t y = 0; y < m; ++y)
      std::copy_n(in.masks + (i * m + y) * m, m, s.grid.data() + (y + 1) * padded + 1);
    // Resized cell d of the w-wide resize is frame column b.x0 + d.
    s.taps_x.resize(r.width);
    s.taps_y.resize(r.height);
    linear_taps(r.x0 - b.x0, r.width, static_cast<float>(padded) / static_cast<float>(w), 0.0f, 0, padded,
                s.taps_x.data());
    linear_taps(r.y0 - b.y0, r.height, static_cast<float>(padded) / static_cast<float>(h), 0.0f, 0, padded,
                s.taps_y.data());
    s.tmp.resize(padded);
    s.row.resize(r.width);
    for (int64_t y = 0; y < r.height; ++y) {
      bilinear_row(s.grid.data(), padded, s.taps_y[y], 0, padded, s.taps_x.data(), r.width, s.tmp.data(),
                   s.row.data());
      uint8_t* out = masks[i] + y * r.width;
      for (int64_t x = 0; x < r.width; ++x) out[x] = s.row[x] > 0.5f;
    }
  });
}

void paste_full(const uint8_t* const* masks, const MaskRegion* regions, int64_t n, int64_t frame_h, int64_t frame_w,
                uint8_t* out, ThreadPool& pool) {
  validate_regions(regions, n, frame_h, frame_w, "paste_full");
  const int64_t plane = frame_h * frame_w;
  pool.run(n, [&](int64_t i, int) {
    uint8_t* full = out + i * plane;
    std::memset(full, 0, static_cast<size_t>(plane));
    const MaskRegion& r = regions[i];
    for (int64_t y = 0; y < r.height; ++y)
      std::memcpy(full + (r.y0 + y) * frame_w + r.x0, masks[i] + y * r.width, static_cast<size_t>(r.width));
  });
}

}  // namespace edgecnn
