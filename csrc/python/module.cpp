// pybind11 glue: array conversion, GIL release, exception mapping. No logic.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <limits>
#include <optional>

#include "core/aligned_buffer.h"
#include "core/cpu.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "graph/model.h"
#include "kernels/activation.h"
#include "kernels/dwconv.h"
#include "kernels/fma_probe.h"
#include "kernels/gemm.h"
#include "kernels/gemm_t.h"
#include "kernels/im2col.h"
#include "kernels/pool_fold.h"
#include "kernels/transpose.h"
#include "kernels/winograd.h"
#include "ops/activation.h"
#include "ops/gemm_driver.h"
#include "ops/op.h"

namespace py = pybind11;
using namespace edgecnn;

namespace {

using FloatArray = py::array_t<float, py::array::c_style>;

py::list tensor_infos(const std::vector<TensorInfo>& infos) {
  py::list out;
  for (const auto& t : infos) out.append(py::make_tuple(t.name, py::tuple(py::cast(t.shape))));
  return out;
}

// max_memory_bytes 0: the default limit (kDefaultMaxMemoryBytes).
std::unique_ptr<Model> load_model(py::buffer data, int num_threads, const std::string& isa, bool verify,
                                  size_t max_memory_bytes) {
  py::buffer_info info = data.request();
  ModelOptions options;
  options.num_threads = num_threads;
  options.isa = isa.empty() ? default_isa() : parse_isa(isa);
  options.verify_checksum = verify;
  if (max_memory_bytes != 0) options.max_memory_bytes = max_memory_bytes;
  const auto* bytes = static_cast<const uint8_t*>(info.ptr);
  const size_t size = static_cast<size_t>(info.size * info.itemsize);
  py::gil_scoped_release release;
  return std::make_unique<Model>(bytes, size, options);
}

// A C-contiguous float array on a 64-byte boundary, not initialized: the
// model writes such an output buffer in place (Model::forward); `offset`
// floats past the boundary (a test hook's), it copies into it. A view into
// a slightly larger numpy array, so that numpy's allocator (which reuses
// large blocks and asks for huge pages) provides the memory: a buffer of
// our own, freed and allocated again per call, cost LRASPP's 23 MB output
// 1400 page faults per run.
FloatArray aligned_output(const Shape& shape, size_t offset = 0) {
  const size_t count = std::max<size_t>(static_cast<size_t>(num_elements(shape)), 1);
  const size_t slack = AlignedBuffer::kAlignment / sizeof(float);
  FloatArray whole(static_cast<py::ssize_t>(count + slack + offset));
  float* data = whole.mutable_data();
  const size_t misalign = reinterpret_cast<uintptr_t>(data) % AlignedBuffer::kAlignment;
  float* aligned = misalign == 0 ? data : data + (AlignedBuffer::kAlignment - misalign) / sizeof(float);
  return FloatArray(std::vector<py::ssize_t>(shape.begin(), shape.end()), aligned + offset, whole);
}

// Runs the model on `inputs`; returns the outputs listed in `wanted` (all when
// empty), in that order. When `seconds` is given, also times each node.
// Output arrays start `offset` floats past a 64-byte boundary (0, but for a
// test hook's calls).
py::list run_forward(Model& model, const std::vector<FloatArray>& inputs, const std::vector<int64_t>& wanted,
                     std::vector<double>* seconds, size_t offset = 0) {
  std::vector<Shape> shapes;
  std::vector<const float*> in_ptrs;
  for (const auto& a : inputs) {
    shapes.emplace_back(a.shape(), a.shape() + a.ndim());
    in_ptrs.push_back(a.data());
  }
  model.check_input_shapes(shapes);
  const int64_t count = static_cast<int64_t>(model.outputs().size());
  std::vector<int64_t> order = wanted;
  if (order.empty())
    for (int64_t i = 0; i < count; ++i) order.push_back(i);
  std::vector<float*> out_ptrs(count, nullptr);
  std::vector<FloatArray> outs(count);
  for (int64_t i : order) {
    if (i < 0 || i >= count)
      throw ArgumentError("output index " + std::to_string(i) + " out of range [0, " + std::to_string(count) + ")");
    if (out_ptrs[i] != nullptr) continue;
    const Shape& shape = model.outputs()[i].shape;
    outs[i] = aligned_output(shape, offset);
    out_ptrs[i] = outs[i].mutable_data();
  }
  {
    py::gil_scoped_release release;
    if (seconds) {
      model.forward_profiled(in_ptrs, out_ptrs, *seconds);
    } else {
      model.forward(in_ptrs, out_ptrs);
    }
  }
  py::list result;
  for (int64_t i : order) result.append(outs[i]);
  return result;
}

// The hint of a test hook's kernel calls: B's own rows, one per k step,
// with C's lines requested (kernels/gemm_prefetch.h), or none.
F32RowPrefetch own_rows_hint(const FloatArray& b) {
  return F32RowPrefetch{b.data(), static_cast<size_t>(b.shape(1)), static_cast<size_t>(b.shape(1)),
                        static_cast<size_t>(b.shape(0)), 0, true};
}

// Test hook: C = W · B + bias through the packed GEMM kernel of `isa`
// (with a prefetch hint when `prefetch`: results must not change).
FloatArray kernel_f32_gemm(const std::string& isa, const FloatArray& w, const FloatArray& b, const FloatArray& bias,
                           bool prefetch) {
  if (w.ndim() != 2 || b.ndim() != 2 || w.shape(1) != b.shape(0) || bias.ndim() != 1 || bias.shape(0) != w.shape(0))
    throw ArgumentError("kernel_f32_gemm: expects W (M, K), B (K, N), bias (M,)");
  const F32GemmKernel& kernel = f32_gemm_kernel(cap_isa(parse_isa(isa)));
  const int64_t m = w.shape(0), k = w.shape(1), n = b.shape(1);
  PackedMatrix packed = pack_f32_gemm_weights(w.data(), m, k, k, kernel.mr);
  FloatArray c({m, n});
  const F32RowPrefetch hint = own_rows_hint(b);
  for (int64_t p = 0; p < packed.panel_count(); ++p) {
    const int64_t rows = std::min<int64_t>(kernel.mr, m - p * kernel.mr);
    kernel.fn(rows, n, k, packed.panel(p), b.data(), n, c.mutable_data() + p * kernel.mr * n, n,
              bias.data() + p * kernel.mr, prefetch ? &hint : nullptr);
  }
  return c;
}

// Test hook: the activation kernel of `isa` on x (kind as in kernels/activation_spec.h).
FloatArray kernel_f32_activation(const std::string& isa, int kind, float alpha, float beta, const FloatArray& x) {
  if (kind < 0 || kind > static_cast<int>(Activation::kExp)) throw ArgumentError("kernel_f32_activation: bad kind");
  const ActivationSpec spec{static_cast<Activation>(kind), alpha, beta};
  FloatArray y(std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim()));
  f32_activation_kernel(cap_isa(parse_isa(isa))).fn(&spec, x.data(), y.mutable_data(), static_cast<size_t>(x.size()));
  return y;
}

// Benchmark hook: the register-only multiply-add probe of `isa`; returns
// (floating-point operations, seconds) for `iterations` rounds.
py::tuple fma_probe(const std::string& isa, size_t iterations) {
  const F32FmaProbe& probe = f32_fma_probe(cap_isa(parse_isa(isa)));
  float sink = 0.0f;
  uint64_t flops = 0;
  double seconds = 0.0;
  {
    py::gil_scoped_release release;
    const auto t0 = std::chrono::steady_clock::now();
    flops = probe.fn(iterations, &sink);
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  return py::make_tuple(flops, seconds);
}

// Test hook: one channel through the depthwise kernel of `isa` for a k x k
// window with stride s and the given pads (top, left, bottom, right).
// The plane geometry of a k x k, stride s depthwise window over an in_h x
// in_w plane with pads (top, left, bottom, right) and a dilation; `hook`
// names the caller in errors.
DwconvPlane dwconv_plane_for(const char* hook, int64_t in_h, int64_t in_w, int k, int s,
                             const std::vector<int64_t>& pads, int64_t dilation) {
  if (pads.size() != 4) throw ArgumentError(std::string(hook) + ": expects 4 pads");
  if (dilation < 1) throw ArgumentError(std::string(hook) + ": dilation must be >= 1");
  DwconvPlane plane{in_h, in_w, 0, 0, pads[0], pads[1], k, s, dilation};
  const int64_t span = (k - 1) * dilation + 1;
  if (in_h + pads[0] + pads[2] < span || in_w + pads[1] + pads[3] < span)
    throw ArgumentError(std::string(hook) + ": the window does not fit");
  plane.out_h = (in_h + pads[0] + pads[2] - span) / s + 1;
  plane.out_w = (in_w + pads[1] + pads[3] - span) / s + 1;
  return plane;
}

FloatArray kernel_f32_dwconv(const std::string& isa, int k, int s, const FloatArray& x, const FloatArray& w,
                             float bias, const std::vector<int64_t>& pads, int64_t dilation, float lo, float hi) {
  const F32DwconvKernel* kernel = f32_dwconv_kernel(cap_isa(parse_isa(isa)), k, s);
  if (kernel == nullptr) throw ArgumentError("kernel_f32_dwconv: no kernel for this window and stride");
  if (x.ndim() != 2 || w.ndim() != 2 || w.shape(0) != k || w.shape(1) != k)
    throw ArgumentError("kernel_f32_dwconv: expects x (H, W), w (k, k)");
  const DwconvPlane plane = dwconv_plane_for("kernel_f32_dwconv", x.shape(0), x.shape(1), k, s, pads, dilation);
  AlignedBuffer scratch(static_cast<size_t>(plane.scratch_floats()) * sizeof(float));
  FloatArray y({plane.out_h, plane.out_w});
  kernel->fn(&plane, x.data(), w.data(), bias, DwconvClamp{lo, hi}, scratch.floats(), y.mutable_data());
  return y;
}

// The channel-lane depthwise kernel of exactly `isa` (ArgumentError when the
// tier has none) on x (C <= lanes, H, W) with w (C, k, k), bias (C) and
// activation `kind` (an Activation value; 0: none) applied inside it.
FloatArray kernel_f32_dwconv_lanes(const std::string& isa, int k, int s, const FloatArray& x, const FloatArray& w,
                                   const FloatArray& bias, const std::vector<int64_t>& pads, int64_t dilation,
                                   int kind) {
  const Isa tier = cap_isa(parse_isa(isa));
  const F32DwconvLanesKernel* kernel = f32_dwconv_lanes_kernel(tier);
  if (kernel == nullptr) throw ArgumentError("kernel_f32_dwconv_lanes: the tier has no channel-lane kernel");
  if ((k != 3 && k != 5) || (s != 1 && s != 2))
    throw ArgumentError("kernel_f32_dwconv_lanes: k in {3, 5}, s in {1, 2}");
  if (x.ndim() != 3 || x.shape(0) < 1 || x.shape(0) > kernel->lanes || w.ndim() != 3 || w.shape(0) != x.shape(0) ||
      w.shape(1) != k || w.shape(2) != k || bias.ndim() != 1 || bias.shape(0) != x.shape(0))
    throw ArgumentError("kernel_f32_dwconv_lanes: expects x (C <= lanes, H, W), w (C, k, k), bias (C,)");
  if (kind < 0 || kind > static_cast<int>(Activation::kTanh))
    throw ArgumentError("kernel_f32_dwconv_lanes: bad activation kind");
  const DwconvPlane plane = dwconv_plane_for("kernel_f32_dwconv_lanes", x.shape(1), x.shape(2), k, s, pads, dilation);
  const ActivationSpec act{static_cast<Activation>(kind), 0.0f, 6.0f};
  const F32ActivationFn act_fn = kind == 0 ? nullptr : f32_activation_kernel(tier).fn;
  AlignedBuffer scratch(static_cast<size_t>(dwconv_lanes_scratch_floats(&plane, kernel->lanes)) * sizeof(float));
  const int64_t channels = x.shape(0);
  FloatArray y({channels, plane.out_h, plane.out_w});
  kernel->fn(&plane, channels, x.data(), plane.in_h * plane.in_w, w.data(), bias.data(), &act, act_fn,
             scratch.floats(), y.mutable_data(), plane.out_h * plane.out_w);
  return y;
}

// Test hook: C + W · B through the accumulating GEMM kernel of `isa`.
FloatArray kernel_f32_gemm_acc(const std::string& isa, const FloatArray& w, const FloatArray& b, const FloatArray& c,
                               bool prefetch) {
  if (w.ndim() != 2 || b.ndim() != 2 || w.shape(1) != b.shape(0) || c.ndim() != 2 || c.shape(0) != w.shape(0) ||
      c.shape(1) != b.shape(1))
    throw ArgumentError("kernel_f32_gemm_acc: expects W (M, K), B (K, N), C (M, N)");
  const F32GemmKernel& kernel = f32_gemm_kernel(cap_isa(parse_isa(isa)));
  const int64_t m = w.shape(0), k = w.shape(1), n = b.shape(1);
  PackedMatrix packed = pack_f32_gemm_weights(w.data(), m, k, k, kernel.mr);
  FloatArray out({m, n});
  std::copy(c.data(), c.data() + m * n, out.mutable_data());
  const F32RowPrefetch hint = own_rows_hint(b);
  for (int64_t p = 0; p < packed.panel_count(); ++p) {
    const int64_t rows = std::min<int64_t>(kernel.mr, m - p * kernel.mr);
    kernel.acc(rows, n, k, packed.panel(p), b.data(), n, out.mutable_data() + p * kernel.mr * n, n,
               prefetch ? &hint : nullptr);
  }
  return out;
}

// Test and benchmark hook: the convolution GEMM (ops/gemm_driver.h) on a
// dense B, Y = W · B + bias, with weights packed once at construction.
std::unique_ptr<DenseWeightGemm> make_weight_gemm(const std::string& isa, const FloatArray& w, int64_t n,
                                                  int num_threads, bool b_in_place) {
  if (w.ndim() != 2 || n < 1 || num_threads < 1) throw ArgumentError("F32WeightGemm: expects W (M, K), N >= 1, threads >= 1");
  return std::make_unique<DenseWeightGemm>(cap_isa(parse_isa(isa)), w.data(), w.shape(0), w.shape(1), n,
                                           num_threads, b_in_place);
}

// Run of either dense GEMM hook (DenseWeightGemm, DenseChannelGemm).
template <class DenseGemm>
void run_dense_gemm(DenseGemm& self, const FloatArray& b, const FloatArray& bias, FloatArray& y, const char* who) {
  const int64_t k = self.k(), n = self.n(), m = self.m();
  if (b.ndim() != 2 || b.shape(0) != k || b.shape(1) != n || bias.ndim() != 1 || bias.shape(0) != m ||
      y.ndim() != 2 || y.shape(0) != m || y.shape(1) != n)
    throw ArgumentError(std::string(who) + ".run: expects B (K, N), bias (M,), Y (M, N)");
  float* out = y.mutable_data();
  py::gil_scoped_release release;
  self.run(b.data(), bias.data(), out);
}

// Benchmark and test hook: the same product through ChannelGemm (channel
// lanes, B in place), the GEMM of a 1x1 convolution on a small map.
std::unique_ptr<DenseChannelGemm> make_channel_gemm(const std::string& isa, const FloatArray& w, int64_t n,
                                                    int num_threads) {
  if (w.ndim() != 2 || n < 1 || num_threads < 1)
    throw ArgumentError("F32ChannelGemm: expects W (M, K), N >= 1, threads >= 1");
  return std::make_unique<DenseChannelGemm>(cap_isa(parse_isa(isa)), w.data(), w.shape(0), w.shape(1), n,
                                            num_threads);
}

// Test hook: im2col of one row (kernels/im2col.h) for output columns
// [n0, n0 + nc), into panels of nr; returns (panels, nr), unwritten lanes NaN.
FloatArray kernel_f32_im2col_row(const std::string& isa, const FloatArray& plane, int64_t out_w, int64_t sh,
                                 int64_t sw, int64_t y_off, int64_t x_off, int64_t n0, int64_t nc, int64_t nr) {
  if (plane.ndim() != 2 || out_w < 1 || sh < 1 || sw < 1 || n0 < 0 || nc < 1 || nr < 1)
    throw ArgumentError("kernel_f32_im2col_row: bad arguments");
  const Im2colRow row{plane.data(), plane.shape(0), plane.shape(1), out_w, sh, sw, y_off, x_off};
  const int64_t panels = (nc + nr - 1) / nr;
  FloatArray out({panels, nr});
  std::fill(out.mutable_data(), out.mutable_data() + panels * nr, std::numeric_limits<float>::quiet_NaN());
  f32_im2col_kernel(cap_isa(parse_isa(isa))).fn(&row, n0, nc, nr, nr, out.mutable_data());
  return out;
}

// Test hook: one input row into its sw phase rows (kernels/im2col.h); returns
// (sw, ld + 16): each phase row with 16 columns past ld, which must stay NaN.
FloatArray kernel_f32_im2col_phase_row(const std::string& isa, const FloatArray& x, int64_t pad_left, int64_t sw,
                                       int64_t ld) {
  if (x.ndim() != 1 || sw < 1 || ld < 1) throw ArgumentError("kernel_f32_im2col_phase_row: bad arguments");
  const int64_t stride = ld + 16;
  FloatArray out({sw, stride});
  std::fill(out.mutable_data(), out.mutable_data() + sw * stride, std::numeric_limits<float>::quiet_NaN());
  f32_im2col_kernel(cap_isa(parse_isa(isa))).phase_row(x.data(), x.shape(0), pad_left, sw, ld, stride,
                                                       out.mutable_data());
  return out;
}

// Test hook: runs task_count tasks on a new pool of num_threads threads;
// returns (task_count, 2): each task's thread index and start order (0, 1,
// ... across all tasks). Tasks run on slow_thread sleep slow_us first; task
// throw_task (if in range) throws instead. Before the job the pool idles
// idle_us, gets `wakes` wake_workers() calls, and idles idle_us again.
py::array_t<int64_t> thread_pool_trace(int num_threads, int64_t task_count, int slow_thread, int64_t slow_us,
                                       int64_t throw_task, int64_t idle_us, int wakes) {
  if (num_threads < 1 || num_threads > 256 || task_count < 0 || idle_us < 0 || idle_us > 1000000 || wakes < 0)
    throw ArgumentError("thread_pool_trace: needs 1-256 threads, task_count >= 0, idle_us 0-1000000, wakes >= 0");
  py::array_t<int64_t> out({task_count, int64_t{2}});
  int64_t* trace = out.mutable_data();
  std::fill(trace, trace + 2 * task_count, int64_t{-1});
  std::atomic<int64_t> order{0};
  ThreadPool pool(num_threads);
  py::gil_scoped_release release;
  std::this_thread::sleep_for(std::chrono::microseconds(idle_us));
  for (int w = 0; w < wakes; ++w) pool.wake_workers();
  std::this_thread::sleep_for(std::chrono::microseconds(idle_us));
  pool.run(task_count, [&](int64_t i, int thread) {
    trace[2 * i] = thread;
    trace[2 * i + 1] = order.fetch_add(1);
    if (thread == slow_thread) std::this_thread::sleep_for(std::chrono::microseconds(slow_us));
    if (i == throw_task) throw ArgumentError("task " + std::to_string(i) + " failed");
  });
  return out;
}

// Test hook: T = t0 + (W · B)^T (or bias + (W · B)^T without t0) through the
// channel-lane kernel of the most capable tier up to `isa`; T is (N, M).
FloatArray kernel_f32_gemm_t(const std::string& isa, const FloatArray& w, const FloatArray& b, const FloatArray& bias,
                             std::optional<FloatArray> t0) {
  if (w.ndim() != 2 || b.ndim() != 2 || w.shape(1) != b.shape(0) || bias.ndim() != 1 || bias.shape(0) != w.shape(0))
    throw ArgumentError("kernel_f32_gemm_t: expects W (M, K), B (K, N), bias (M,)");
  const F32GemmTKernel& kernel = f32_gemm_t_kernel_at_most(cap_isa(parse_isa(isa)));
  const int64_t m = w.shape(0), k = w.shape(1), n = b.shape(1);
  if (t0 && (t0->ndim() != 2 || t0->shape(0) != n || t0->shape(1) != m))
    throw ArgumentError("kernel_f32_gemm_t: t0 must be (N, M)");
  PackedMatrix packed = pack_f32_gemm_weights(w.data(), m, k, k, kernel.mr);
  FloatArray t({n, m});
  if (t0) std::copy(t0->data(), t0->data() + n * m, t.mutable_data());
  for (int64_t p = 0; p < packed.panel_count(); ++p) {
    const int64_t rows = std::min<int64_t>(kernel.mr, m - p * kernel.mr);
    // The next panel as the prefetch hint (it must not change T).
    const float* next = p + 1 < packed.panel_count() ? packed.panel(p + 1) : nullptr;
    kernel.fn(rows, n, k, packed.panel(p), b.data(), n, t.mutable_data() + p * kernel.mr, m,
              bias.data() + p * kernel.mr, t0.has_value(), next,
              next ? static_cast<size_t>((k * kernel.mr + 15) / 16) : 0);
  }
  return t;
}

// The Winograd F(m x m, 3x3) transform kernels of exactly `isa` (kernels/winograd.h).
const F32WinoKernel& wino_kernel_for(const char* hook, const std::string& isa, int m) {
  const F32WinoKernel* kernel = f32_wino_kernel(cap_isa(parse_isa(isa)), m);
  if (kernel == nullptr) throw ArgumentError(std::string(hook) + ": the tier has no transforms for this tile size");
  return *kernel;
}

// Input transform of `count` tiles of every channel of x (C, m+2, W), W >= m*count + 2:
// returns V (nxi, C, count).
FloatArray kernel_f32_wino_input(const std::string& isa, int m, const FloatArray& x, int64_t count) {
  const F32WinoKernel& kernel = wino_kernel_for("kernel_f32_wino_input", isa, m);
  if (x.ndim() != 3 || x.shape(1) != m + 2 || count < 1 || x.shape(2) < m * count + 2)
    throw ArgumentError("kernel_f32_wino_input: expects x (C, m+2, >= m*count+2), count >= 1");
  const int64_t channels = x.shape(0), nxi = (m + 2) * (m + 2);
  FloatArray v({nxi, channels, count});
  kernel.input(x.data(), x.shape(2), x.shape(1) * x.shape(2), channels, count, v.mutable_data(), channels * count,
               count);
  return v;
}

// Output transform of M (nxi, C, count) plus bias (C,) into the leading
// `rows` x `cols` of a copy of y0 (C, rows, >= cols), its row stride the
// width of y0.
FloatArray kernel_f32_wino_output(const std::string& isa, int m, const FloatArray& mat, const FloatArray& bias,
                                  int64_t rows, int64_t cols, const FloatArray& y0) {
  const F32WinoKernel& kernel = wino_kernel_for("kernel_f32_wino_output", isa, m);
  if (mat.ndim() != 3 || mat.shape(0) != (m + 2) * (m + 2) || bias.ndim() != 1 || bias.shape(0) != mat.shape(1) ||
      rows < 1 || rows > m || cols < 1 || cols > m * mat.shape(2) || cols <= m * (mat.shape(2) - 1) ||
      y0.ndim() != 3 || y0.shape(0) != mat.shape(1) || y0.shape(1) != rows || y0.shape(2) < cols)
    throw ArgumentError("kernel_f32_wino_output: expects M (nxi, C, count), bias (C,), rows <= m, "
                        "m*(count-1) < cols <= m*count, y0 (C, rows, >= cols)");
  const int64_t channels = mat.shape(1), count = mat.shape(2);
  FloatArray y({y0.shape(0), y0.shape(1), y0.shape(2)});
  std::copy(y0.data(), y0.data() + y0.size(), y.mutable_data());
  kernel.output(mat.data(), channels * count, count, channels, bias.data(), count, rows, cols, y.mutable_data(),
                rows * y0.shape(2), y0.shape(2));
  return y;
}

// The operands of the indirect-kernel hooks: W (M, K), base (L,), koff (K,)
// with every row koff[k] .. koff[k] + n inside base, bias (M,).
void check_indirect_operands(const char* hook, const FloatArray& w, const FloatArray& base,
                             const py::array_t<int64_t, py::array::c_style>& koff, int64_t n, const FloatArray& bias) {
  if (w.ndim() != 2 || base.ndim() != 1 || koff.ndim() != 1 || koff.shape(0) != w.shape(1) || bias.ndim() != 1 ||
      bias.shape(0) != w.shape(0) || n < 1)
    throw ArgumentError(std::string(hook) + ": expects W (M, K), base (L,), koff (K,), n >= 1, bias (M,)");
  for (int64_t i = 0; i < koff.shape(0); ++i)
    if (koff.data()[i] < 0 || koff.data()[i] + n > base.shape(0))
      throw ArgumentError(std::string(hook) + ": koff[k] + n must lie in base");
}

// The indirect pixel-lane kernel of `isa`: B[k][j] = base[koff[k] + j],
// C (M x N) = bias + W · B, panel by panel; with a post-step
// (kernels/gemm_post.h) when `clamp` (lo, hi), `r` (M x N) or an
// `activation` (Conv's activation attribute names) is given.
FloatArray kernel_f32_igemm(const std::string& isa, const FloatArray& w, const FloatArray& base,
                            const py::array_t<int64_t, py::array::c_style>& koff, int64_t n, const FloatArray& bias,
                            std::optional<std::pair<float, float>> clamp, std::optional<FloatArray> r,
                            bool residual_first, const std::string& activation) {
  check_indirect_operands("kernel_f32_igemm", w, base, koff, n, bias);
  const int64_t m = w.shape(0), k = w.shape(1);
  if (r && (r->ndim() != 2 || r->shape(0) != m || r->shape(1) != n))
    throw ArgumentError("kernel_f32_igemm: r must be (M, N)");
  const F32GemmKernel& kernel = f32_gemm_kernel(cap_isa(parse_isa(isa)));
  PackedMatrix packed = pack_f32_gemm_weights(w.data(), m, k, k, kernel.mr);
  FloatArray c({m, n});
  const bool with_post = clamp.has_value() || r.has_value() || !activation.empty();
  ActivationParams act;
  if (!activation.empty()) act = make_activation(activation, false, 0.0f, false, 0.0f, cap_isa(parse_isa(isa)));
  for (int64_t p = 0; p < packed.panel_count(); ++p) {
    const int64_t row0 = p * kernel.mr, rows = std::min<int64_t>(kernel.mr, m - row0);
    const F32GemmPost post{clamp.has_value(), clamp ? clamp->first : 0.0f, clamp ? clamp->second : 0.0f,
                           r ? r->data() + row0 * n : nullptr, static_cast<size_t>(n), residual_first,
                           act.fn, &act.spec};
    kernel.igemm(rows, n, k, packed.panel(p), base.data(), koff.data(), c.mutable_data() + row0 * n, n,
                 bias.data() + row0, with_post ? &post : nullptr);
  }
  return c;
}

// The indirect channel-lane kernel of `isa`: B[k][j] = base[koff[k] + j],
// T (N x M) = (W · B)^T + bias, or t0 + (W · B)^T when t0 is given.
FloatArray kernel_f32_igemm_t(const std::string& isa, const FloatArray& w, const FloatArray& base,
                              const py::array_t<int64_t, py::array::c_style>& koff, int64_t n, const FloatArray& bias,
                              std::optional<FloatArray> t0) {
  check_indirect_operands("kernel_f32_igemm_t", w, base, koff, n, bias);
  const int64_t m = w.shape(0), k = w.shape(1);
  if (t0 && (t0->ndim() != 2 || t0->shape(0) != n || t0->shape(1) != m))
    throw ArgumentError("kernel_f32_igemm_t: t0 must be (N, M)");
  const F32GemmTKernel& kernel = f32_gemm_t_kernel_at_most(cap_isa(parse_isa(isa)));
  PackedMatrix packed = pack_f32_gemm_weights(w.data(), m, k, k, kernel.mr);
  FloatArray t({n, m});
  if (t0) std::copy(t0->data(), t0->data() + n * m, t.mutable_data());
  for (int64_t p = 0; p < packed.panel_count(); ++p) {
    const int64_t rows = std::min<int64_t>(kernel.mr, m - p * kernel.mr);
    const float* next = p + 1 < packed.panel_count() ? packed.panel(p + 1) : nullptr;
    kernel.igemm(rows, n, k, packed.panel(p), base.data(), koff.data(), t.mutable_data() + p * kernel.mr, m,
                 bias.data() + p * kernel.mr, t0.has_value(), next,
                 next ? static_cast<size_t>((k * kernel.mr + 15) / 16) : 0);
  }
  return t;
}

// The transpose kernel of `isa` on the leading rows x cols of src (row
// stride: its width) into a copy of dst0 (row stride: its width).
FloatArray kernel_f32_transpose(const std::string& isa, const FloatArray& src, int64_t rows, int64_t cols,
                                const FloatArray& dst0) {
  if (src.ndim() != 2 || dst0.ndim() != 2 || rows < 0 || cols < 0 || rows > src.shape(0) || cols > src.shape(1) ||
      cols > dst0.shape(0) || rows > dst0.shape(1))
    throw ArgumentError("kernel_f32_transpose: expects src (>= rows, >= cols), dst0 (>= cols, >= rows)");
  FloatArray dst({dst0.shape(0), dst0.shape(1)});
  std::copy(dst0.data(), dst0.data() + dst0.size(), dst.mutable_data());
  f32_transpose_kernel(cap_isa(parse_isa(isa)))
      .fn(static_cast<size_t>(rows), static_cast<size_t>(cols), src.data(), static_cast<size_t>(src.shape(1)),
          dst.mutable_data(), static_cast<size_t>(dst0.shape(1)));
  return dst;
}

// A pooling fold kernel of `isa` ("max" or "add") over `count` runs of n
// floats of the flat x, run j at j * stride: into a new array, or folded
// into a copy of y0 (n,) when given.
FloatArray kernel_f32_pool_fold(const std::string& isa, const std::string& fold, const FloatArray& x, int64_t count,
                                int64_t stride, int64_t n, const std::optional<FloatArray>& y0) {
  // count and stride bounded by x's length first, so the product cannot overflow.
  if (x.ndim() != 1 || count < 1 || stride < 0 || n < 0 || count > x.shape(0) ||
      (count > 1 && stride > x.shape(0)) || (count - 1) * stride + n > x.shape(0))
    throw ArgumentError("kernel_f32_pool_fold: expects a flat x holding count >= 1 runs of n, stride apart");
  if (y0 && (y0->ndim() != 1 || y0->shape(0) != n)) throw ArgumentError("kernel_f32_pool_fold: y0 must be (n,)");
  if (fold != "max" && fold != "add") throw ArgumentError("kernel_f32_pool_fold: fold must be 'max' or 'add'");
  const F32PoolFoldKernel& kernel = f32_pool_fold_kernel(cap_isa(parse_isa(isa)));
  FloatArray y({n});
  if (y0) std::copy(y0->data(), y0->data() + n, y.mutable_data());
  (fold == "max" ? kernel.max : kernel.add)(x.data(), static_cast<size_t>(stride), static_cast<size_t>(count),
                                            y.mutable_data(), static_cast<size_t>(n), y0.has_value() ? 1 : 0);
  return y;
}

}  // namespace

// Bindings of the pre- and post-processing live in their own files
// (bind_pre.cpp, bind_post.cpp, bind_masks.cpp); each defines one of these.
void bind_pre(py::module_& m);
void bind_post(py::module_& m);
void bind_masks(py::module_& m);
void bind_draw(py::module_& m);

PYBIND11_MODULE(_core, m) {
  m.doc() = "edgecnn native core (private; use the edgecnn package)";

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const FormatError& e) {
      py::object cls = py::module_::import("edgecnn._errors").attr("ModelFormatError");
      PyErr_SetString(cls.ptr(), e.what());
    } catch (const UnsupportedError& e) {
      py::object cls = py::module_::import("edgecnn._errors").attr("UnsupportedOpError");
      PyErr_SetString(cls.ptr(), e.what());
    } catch (const ArgumentError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  py::class_<Model>(m, "Model")
      .def(py::init(&load_model), py::arg("data"), py::arg("num_threads") = 0, py::arg("isa") = "",
           py::arg("verify") = true, py::arg("max_memory_bytes") = 0)
      .def_property_readonly("metadata_json", [](const Model& self) { return py::bytes(self.metadata_json()); })
      .def_property_readonly("inputs", [](const Model& self) { return tensor_infos(self.inputs()); })
      .def_property_readonly("outputs", [](const Model& self) { return tensor_infos(self.outputs()); })
      .def_property_readonly("isa", [](const Model& self) { return std::string(isa_name(self.isa())); })
      .def_property_readonly("num_threads", &Model::num_threads)
      .def_property_readonly("arena_bytes", &Model::arena_bytes)
      .def_property_readonly("node_count", &Model::node_count)
      .def_property_readonly("outputs_in_place", &Model::outputs_in_place)
      .def("forward",
           [](Model& self, const std::vector<FloatArray>& inputs, const std::vector<int64_t>& outputs) {
             return run_forward(self, inputs, outputs, nullptr);
           },
           py::arg("inputs"), py::arg("outputs") = std::vector<int64_t>{})
      // Test hook: forward into output arrays one float past a 64-byte
      // boundary, which the model cannot write in place: it copies them out.
      .def("forward_misaligned",
           [](Model& self, const std::vector<FloatArray>& inputs, const std::vector<int64_t>& outputs) {
             return run_forward(self, inputs, outputs, nullptr, 1);
           },
           py::arg("inputs"), py::arg("outputs") = std::vector<int64_t>{})
      .def("forward_profiled",
           [](Model& self, const std::vector<FloatArray>& inputs, const std::vector<int64_t>& outputs) {
             std::vector<double> seconds;
             py::list outs = run_forward(self, inputs, outputs, &seconds);
             return py::make_tuple(outs, seconds);
           },
           py::arg("inputs"), py::arg("outputs") = std::vector<int64_t>{})
      .def_property_readonly("nodes", [](const Model& self) {
        py::list out;
        for (const auto& n : self.node_infos())
          out.append(py::make_tuple(n.name, n.op_type, n.output_name, py::tuple(py::cast(n.output_shape))));
        return out;
      });

  m.def("detected_isa", [] { return std::string(isa_name(detect_isa())); });
  m.def("default_isa", [] { return std::string(isa_name(default_isa())); });
  m.def("available_isas", [] {
    std::vector<std::string> names;
    for (Isa i : available_isas()) names.emplace_back(isa_name(i));
    return names;
  });
  m.def("default_thread_count", &ThreadPool::default_thread_count);
  m.def("thread_pool_trace", &thread_pool_trace, py::arg("num_threads"), py::arg("task_count"),
        py::arg("slow_thread") = -1, py::arg("slow_us") = 0, py::arg("throw_task") = -1, py::arg("idle_us") = 0,
        py::arg("wakes") = 0);
  m.def("supported_ops", &supported_ops);
  m.def("f32_gemm_kernel_name", [](const std::string& isa) { return std::string(f32_gemm_kernel(cap_isa(parse_isa(isa))).name); });
  m.def("kernel_f32_activation", &kernel_f32_activation, py::arg("isa"), py::arg("kind"), py::arg("alpha"),
        py::arg("beta"), py::arg("x"));
  m.def("f32_activation_kernel_name",
        [](const std::string& isa) { return std::string(f32_activation_kernel(cap_isa(parse_isa(isa))).name); });
  m.def("kernel_f32_dwconv_lanes", &kernel_f32_dwconv_lanes, py::arg("isa"), py::arg("k"), py::arg("s"), py::arg("x"),
        py::arg("w"), py::arg("bias"), py::arg("pads"), py::arg("dilation") = 1, py::arg("activation") = 0);
  m.def("f32_dwconv_lanes_kernel_name", [](const std::string& isa) -> py::object {
    const F32DwconvLanesKernel* k = f32_dwconv_lanes_kernel(cap_isa(parse_isa(isa)));
    return k == nullptr ? py::object(py::none()) : py::object(py::str(k->name));
  });
  m.def("kernel_f32_dwconv", &kernel_f32_dwconv, py::arg("isa"), py::arg("k"), py::arg("s"), py::arg("x"),
        py::arg("w"), py::arg("bias"), py::arg("pads"), py::arg("dilation") = 1,
        py::arg("lo") = -std::numeric_limits<float>::infinity(),
        py::arg("hi") = std::numeric_limits<float>::infinity());
  m.def("f32_dwconv_kernel_name", [](const std::string& isa, int k, int s) {
    const F32DwconvKernel* kernel = f32_dwconv_kernel(cap_isa(parse_isa(isa)), k, s);
    return kernel ? std::string(kernel->name) : std::string();
  });
  m.def("kernel_f32_im2col_row", &kernel_f32_im2col_row, py::arg("isa"), py::arg("plane"), py::arg("out_w"),
        py::arg("sh"), py::arg("sw"), py::arg("y_off"), py::arg("x_off"), py::arg("n0"), py::arg("nc"), py::arg("nr"));
  m.def("kernel_f32_im2col_phase_row", &kernel_f32_im2col_phase_row, py::arg("isa"), py::arg("x"),
        py::arg("pad_left"), py::arg("sw"), py::arg("ld"));
  m.def("f32_im2col_kernel_name", [](const std::string& isa) { return std::string(f32_im2col_kernel(cap_isa(parse_isa(isa))).name); });
  m.def("kernel_f32_igemm", &kernel_f32_igemm, py::arg("isa"), py::arg("w"), py::arg("base"), py::arg("koff"),
        py::arg("n"), py::arg("bias"), py::arg("clamp") = std::nullopt, py::arg("r") = std::nullopt,
        py::arg("residual_first") = true, py::arg("activation") = "");
  m.def("kernel_f32_gemm_t", &kernel_f32_gemm_t, py::arg("isa"), py::arg("w"), py::arg("b"), py::arg("bias"),
        py::arg("t0") = py::none());
  m.def("f32_gemm_t_kernel_name",
        [](const std::string& isa) { return std::string(f32_gemm_t_kernel_at_most(cap_isa(parse_isa(isa))).name); });
  m.def("kernel_f32_igemm_t", &kernel_f32_igemm_t, py::arg("isa"), py::arg("w"), py::arg("base"), py::arg("koff"),
        py::arg("n"), py::arg("bias"), py::arg("t0") = py::none());
  m.def("kernel_f32_wino_input", &kernel_f32_wino_input, py::arg("isa"), py::arg("m"), py::arg("x"), py::arg("count"));
  m.def("kernel_f32_wino_output", &kernel_f32_wino_output, py::arg("isa"), py::arg("m"), py::arg("mat"),
        py::arg("bias"), py::arg("rows"), py::arg("cols"), py::arg("y0"));
  m.def("f32_wino_kernel_name", [](const std::string& isa, int m) -> py::object {
    const F32WinoKernel* k = f32_wino_kernel(cap_isa(parse_isa(isa)), m);
    return k == nullptr ? py::object(py::none()) : py::object(py::str(k->name));
  });
  m.def("kernel_f32_transpose", &kernel_f32_transpose, py::arg("isa"), py::arg("src"), py::arg("rows"),
        py::arg("cols"), py::arg("dst0"));
  m.def("kernel_f32_pool_fold", &kernel_f32_pool_fold, py::arg("isa"), py::arg("fold"), py::arg("x"), py::arg("count"),
        py::arg("stride"), py::arg("n"), py::arg("y0") = py::none());
  m.def("f32_pool_fold_kernel_name",
        [](const std::string& isa) { return std::string(f32_pool_fold_kernel(cap_isa(parse_isa(isa))).name); });
  m.def("f32_transpose_kernel_name",
        [](const std::string& isa) { return std::string(f32_transpose_kernel(cap_isa(parse_isa(isa))).name); });
  m.def("fma_probe", &fma_probe, py::arg("isa"), py::arg("iterations"));
  m.def("fma_probe_name", [](const std::string& isa) { return std::string(f32_fma_probe(cap_isa(parse_isa(isa))).name); });
  m.def("kernel_f32_gemm_acc", &kernel_f32_gemm_acc, py::arg("isa"), py::arg("w"), py::arg("b"), py::arg("c"),
        py::arg("prefetch") = false);
  py::class_<DenseWeightGemm>(m, "F32WeightGemm")
      .def(py::init(&make_weight_gemm), py::arg("isa"), py::arg("w"), py::arg("n"), py::arg("num_threads") = 1,
           py::arg("b_in_place") = true)
      .def("run", [](DenseWeightGemm& self, const FloatArray& b, const FloatArray& bias,
                     FloatArray& y) { run_dense_gemm(self, b, bias, y, "F32WeightGemm"); },
           py::arg("b"), py::arg("bias"), py::arg("y"))
      .def_property_readonly("kc", [](const DenseWeightGemm& self) { return self.gemm().kc(); })
      .def_property_readonly("nc", [](const DenseWeightGemm& self) { return self.gemm().nc(); })
      .def_property_readonly("tasks", [](const DenseWeightGemm& self) { return self.gemm().tasks(); })
      .def_property_readonly("b_in_place", [](const DenseWeightGemm& self) { return self.gemm().b_in_place(); })
      .def_property_readonly("kernel", [](const DenseWeightGemm& self) { return std::string(self.gemm().kernel().name); });
  py::class_<DenseChannelGemm>(m, "F32ChannelGemm")
      .def(py::init(&make_channel_gemm), py::arg("isa"), py::arg("w"), py::arg("n"), py::arg("num_threads") = 1)
      .def("run", [](DenseChannelGemm& self, const FloatArray& b, const FloatArray& bias,
                     FloatArray& y) { run_dense_gemm(self, b, bias, y, "F32ChannelGemm"); },
           py::arg("b"), py::arg("bias"), py::arg("y"))
      .def_property_readonly("kernel", [](const DenseChannelGemm& self) { return std::string(self.kernel().name); });
  m.def("kernel_f32_gemm", &kernel_f32_gemm, py::arg("isa"), py::arg("w"), py::arg("b"), py::arg("bias"),
        py::arg("prefetch") = false);
  bind_pre(m);
  bind_post(m);
  bind_masks(m);
  bind_draw(m);
#ifdef EDGECNN_VERSION
  m.attr("__version__") = EDGECNN_VERSION;
#endif
}
