#include "post/nms.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "core/error.h"
#include "core/unfused.h"
#include "post/boxes.h"

namespace edgecnn {

namespace scalar {
namespace {

// max / min with the SSE/AVX rule (the first operand if it compares
// greater / less, else the second), so every tier agrees on any input.
inline float max_like_simd(float a, float b) { return a > b ? a : b; }
inline float min_like_simd(float a, float b) { return a < b ? a : b; }

}  // namespace

bool nms_any_iou_above(const float* x1, const float* y1, const float* x2, const float* y2, const float* area,
                       size_t count, float bx1, float by1, float bx2, float by2, float b_area, float iou_threshold) {
  for (size_t i = 0; i < count; ++i) {
    const float w = max_like_simd(min_like_simd(x2[i], bx2) - max_like_simd(x1[i], bx1), 0.0f);
    const float h = max_like_simd(min_like_simd(y2[i], by2) - max_like_simd(y1[i], by1), 0.0f);
    const float inter = unfused(w * h);
    const float uni = (area[i] + b_area) - inter;
    if (inter / uni > iou_threshold) return true;
  }
  return false;
}

}  // namespace scalar

namespace {

struct OverlapKernelEntry {
  Isa isa;
  NmsOverlapKernel fn;
};

const OverlapKernelEntry kOverlapKernels[] = {
    {Isa::kScalar, &scalar::nms_any_iou_above},
    EDGECNN_IF_ARCH_x86({Isa::kAvx2, &avx2::nms_any_iou_above}, {Isa::kAvx512, &avx512::nms_any_iou_above}, )};

NmsOverlapKernel overlap_kernel(Isa isa) {
  const OverlapKernelEntry* best = &kOverlapKernels[0];
  for (const auto& k : kOverlapKernels)
    if (static_cast<int>(k.isa) <= static_cast<int>(isa) && static_cast<int>(k.isa) >= static_cast<int>(best->isa))
      best = &k;
  return best->fn;
}

// A candidate as one integer whose ascending order is the NMS order: the high
// 32 bits rank the score (descending), the low 32 bits are the input index
// (ascending among equal scores). Scores are never NaN here.
uint64_t candidate_key(float score, uint32_t index) {
  const float canonical = score + 0.0f;  // -0 becomes +0: equal scores tie on the index
  uint32_t bits;
  std::memcpy(&bits, &canonical, sizeof bits);
  // Unsigned order of `ascending` is the float order of the score.
  const uint32_t ascending = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
  return (static_cast<uint64_t>(~ascending) << 32) | index;
}

uint32_t candidate_index(uint64_t key) { return static_cast<uint32_t>(key); }

// Sorts keys by their score rank (high 32 bits) and keeps the present order
// among equal ranks: keys that come in index order leave in NMS order. An LSD
// radix sort, 11 bits per pass, skipping passes where all keys share the
// digit (scores in a narrow range share their top bits): several times
// faster than a comparison sort at 20k candidates.
void sort_by_score_rank(std::vector<uint64_t>& keys) {
  constexpr int kDigitBits = 11;
  constexpr size_t kDigits = size_t{1} << kDigitBits;
  std::vector<uint64_t> sorted(keys.size());
  std::vector<size_t> start(kDigits);
  for (int shift = 32; shift < 64; shift += kDigitBits) {
    std::fill(start.begin(), start.end(), 0);
    for (uint64_t key : keys) ++start[(key >> shift) & (kDigits - 1)];
    if (std::find(start.begin(), start.end(), keys.size()) != start.end()) continue;
    size_t offset = 0;
    for (size_t& s : start) offset += std::exchange(s, offset);
    for (uint64_t key : keys) sorted[start[(key >> shift) & (kDigits - 1)]++] = key;
    keys.swap(sorted);
  }
}

// The candidates above the score threshold, in NMS order, at most top_k.
std::vector<uint64_t> ordered_candidates(const float* scores, int64_t count, float score_threshold, int64_t top_k) {
  std::vector<uint64_t> keys;  // in index order
  for (int64_t i = 0; i < count; ++i)
    if (scores[i] > score_threshold) keys.push_back(candidate_key(scores[i], static_cast<uint32_t>(i)));
  if (static_cast<int64_t>(keys.size()) > top_k) {
    // Keys are unique, so exactly top_k are <= the top_k-th smallest; the
    // survivors stay in index order.
    std::vector<uint64_t> scratch(keys);
    std::nth_element(scratch.begin(), scratch.begin() + (top_k - 1), scratch.end());
    const uint64_t last = scratch[static_cast<size_t>(top_k - 1)];
    keys.erase(std::remove_if(keys.begin(), keys.end(), [last](uint64_t key) { return key > last; }), keys.end());
  }
  sort_by_score_rank(keys);
  return keys;
}

// Class-aware NMS compares a candidate only with kept boxes of its class. The
// classes present are numbered 0..bucket_count-1 ("buckets"); returns the
// bucket of each candidate, in `order`.
std::vector<int32_t> class_buckets(const std::vector<uint64_t>& order, const int32_t* class_ids,
                                   int64_t* bucket_count) {
  std::vector<int32_t> bucket(order.size(), 0);
  *bucket_count = 1;
  if (class_ids == nullptr || order.empty()) return bucket;
  int64_t lo = class_ids[candidate_index(order[0])], hi = lo;
  for (uint64_t key : order) {
    lo = std::min<int64_t>(lo, class_ids[candidate_index(key)]);
    hi = std::max<int64_t>(hi, class_ids[candidate_index(key)]);
  }
  const int64_t n = static_cast<int64_t>(order.size());
  if (hi - lo < 2 * n + 1024) {
    // Compact id range (the usual 0..num_classes-1): the bucket is the id
    // minus the smallest one; empty buckets cost no more than the candidates.
    for (int64_t i = 0; i < n; ++i) bucket[i] = static_cast<int32_t>(class_ids[candidate_index(order[i])] - lo);
    *bucket_count = hi - lo + 1;
    return bucket;
  }
  // Sparse ids: the bucket is the rank among the distinct ids.
  std::vector<int32_t> distinct(order.size());
  for (int64_t i = 0; i < n; ++i) distinct[i] = class_ids[candidate_index(order[i])];
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  for (int64_t i = 0; i < n; ++i)
    bucket[i] = static_cast<int32_t>(
        std::lower_bound(distinct.begin(), distinct.end(), class_ids[candidate_index(order[i])]) - distinct.begin());
  *bucket_count = static_cast<int64_t>(distinct.size());
  return bucket;
}

void validate_nms_arguments(const float* boxes, int64_t count, const NmsOptions& options) {
  if (count < 0 || count > kMaxElements / 4)
    throw ArgumentError("nms: box count " + std::to_string(count) + " is out of range");
  if (std::isnan(options.score_threshold)) throw ArgumentError("nms: score_threshold is NaN");
  if (!(options.iou_threshold >= 0.0f && options.iou_threshold <= 1.0f))
    throw ArgumentError("nms: iou_threshold must be in [0, 1], got " + std::to_string(options.iou_threshold));
  if (options.max_det < 1) throw ArgumentError("nms: max_det must be >= 1, got " + std::to_string(options.max_det));
  if (options.pre_nms_top_k < 1)
    throw ArgumentError("nms: pre_nms_top_k must be >= 1, got " + std::to_string(options.pre_nms_top_k));
  for (int64_t i = 0; i < 4 * count; ++i)
    if (!std::isfinite(boxes[i]))
      throw ArgumentError("nms: boxes[" + std::to_string(i / 4) + "] has a non-finite coordinate");
}

}  // namespace

void validate_nms_shapes(const Shape& boxes_shape, const Shape& scores_shape, const Shape* classes_shape) {
  const int64_t n = box_count(boxes_shape, "nms", "boxes");
  if (scores_shape != Shape{n}) throw ArgumentError(shape_error("nms", "scores", "[N] (N = len(boxes))", scores_shape));
  if (classes_shape != nullptr && *classes_shape != Shape{n})
    throw ArgumentError(shape_error("nms", "classes", "[N] (N = len(boxes))", *classes_shape));
}

std::vector<int64_t> nms(const float* boxes, const float* scores, const int32_t* class_ids, int64_t count,
                         const NmsOptions& options, Isa isa) {
  validate_nms_arguments(boxes, count, options);

  const std::vector<uint64_t> order =
      ordered_candidates(scores, count, options.score_threshold, options.pre_nms_top_k);

  int64_t bucket_count = 1;
  const std::vector<int32_t> bucket =
      class_buckets(order, options.class_agnostic ? nullptr : class_ids, &bucket_count);

  // Kept boxes, one array per coordinate plus one for the area (the kernels
  // load 8 or 16 of a coordinate at once). Bucket b owns the slots
  // [bucket_start[b], bucket_start[b] + kept_in_bucket[b]), sized for all of
  // its candidates, so kept boxes of one class are contiguous.
  const size_t n = order.size();
  std::vector<int64_t> bucket_start(static_cast<size_t>(bucket_count) + 1, 0);
  for (int32_t b : bucket) ++bucket_start[static_cast<size_t>(b) + 1];
  for (int64_t b = 0; b < bucket_count; ++b) bucket_start[b + 1] += bucket_start[b];
  std::vector<int64_t> kept_in_bucket(static_cast<size_t>(bucket_count), 0);
  std::vector<float> kept(5 * n);
  float* const kx1 = kept.data();
  float* const ky1 = kx1 + n;
  float* const kx2 = ky1 + n;
  float* const ky2 = kx2 + n;
  float* const karea = ky2 + n;

  const NmsOverlapKernel overlaps = overlap_kernel(isa);
  std::vector<int64_t> keep;
  for (size_t c = 0; c < n && static_cast<int64_t>(keep.size()) < options.max_det; ++c) {
    const uint32_t index = candidate_index(order[c]);
    const float* box = boxes + 4 * static_cast<size_t>(index);
    const float area = (box[2] - box[0]) * (box[3] - box[1]);
    const int64_t start = bucket_start[bucket[c]];
    int64_t& kept_count = kept_in_bucket[bucket[c]];
    if (overlaps(kx1 + start, ky1 + start, kx2 + start, ky2 + start, karea + start, static_cast<size_t>(kept_count),
                 box[0], box[1], box[2], box[3], area, options.iou_threshold))
      continue;
    const int64_t slot = start + kept_count++;
    kx1[slot] = box[0];
    ky1[slot] = box[1];
    kx2[slot] = box[2];
    ky2[slot] = box[3];
    karea[slot] = area;
    keep.push_back(index);
  }
  return keep;
}

}  // namespace edgecnn
