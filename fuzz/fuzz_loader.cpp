// libFuzzer harness of the .ecnn loader: the entry point edgecnn.load uses
// (edgecnn::Model(data, size, options)), then one forward pass on zeros so the
// prepared operators run. Errors the loader reports on purpose are fine;
// anything else (a crash, a sanitizer report, another exception, a leak, an
// allocation past -malloc_limit_mb) is a finding.
//
// Mode (environment, read once):
//   EDGECNN_FUZZ_VERIFY=1   verify the CRC-32 as edgecnn.load(verify=True) does
//                           (random mutations then mostly stop at the checksum);
//   otherwise               the checksum is skipped, as edgecnn.load(verify=False),
//                           so mutations reach the parser and the operators.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "core/cpu.h"
#include "core/error.h"
#include "graph/model.h"
#include "graph/model_def.h"

namespace {

// Loads whose planned memory exceeds this are refused by the loader itself
// (ModelOptions::max_memory_bytes), which keeps the fuzzer below its RSS limit.
constexpr size_t kMaxMemoryBytes = size_t{256} << 20;

// A network's run time is its arithmetic, which the file controls (a 400-byte
// file can ask for a MaxPool with a 512-wide window over a 50 MB input): that is
// no bug, so forward() runs only on models whose estimated work is below this
// many multiply-adds, and libFuzzer's -timeout catches loops that never end.
constexpr double kMaxForwardWork = 5e7;

double elements(const edgecnn::Shape& s) {
  double n = 1;
  for (int64_t d : s) n *= static_cast<double>(d);
  return n;
}

// Rough work of one forward pass: per node, max(input, output) elements times
// the taps of a window, the reduction length of a product, or 1.
double estimated_work(const edgecnn::ModelDef& def, const edgecnn::Model& model) {
  std::vector<edgecnn::Shape> shapes(def.tensors.size());
  for (size_t t = 0; t < def.tensors.size(); ++t) shapes[t] = def.tensors[t].shape;
  const std::vector<edgecnn::Model::NodeInfo> infos = model.node_infos();
  double work = 0;
  for (size_t i = 0; i < def.nodes.size(); ++i) {
    const edgecnn::NodeDef& n = def.nodes[i];
    double in = 0, taps = 1;
    for (int32_t t : n.inputs)
      if (t >= 0) in = std::max(in, elements(shapes[t]));
    for (int32_t t : n.outputs)
      if (shapes[t].empty()) shapes[t] = infos[i].output_shape;
    const double out = elements(infos[i].output_shape);
    const edgecnn::Shape& x = n.inputs.empty() || n.inputs[0] < 0 ? edgecnn::Shape{} : shapes[n.inputs[0]];
    const edgecnn::Shape& w = n.inputs.size() < 2 || n.inputs[1] < 0 ? edgecnn::Shape{} : shapes[n.inputs[1]];
    if (n.op_type == "Conv" && !w.empty()) taps = elements(w) / static_cast<double>(w[0]);
    if (n.op_type == "ConvTranspose" && !w.empty()) taps = elements(w) / static_cast<double>(w[0]);
    if ((n.op_type == "MatMul" || n.op_type == "Gemm") && !x.empty()) taps = static_cast<double>(x.back());
    const bool pool = n.op_type == "MaxPool" || n.op_type == "AveragePool";
    for (const auto& kv : n.attrs)
      if (pool && kv.first == "kernel_shape")
        for (int64_t k : kv.second.ints) taps *= static_cast<double>(std::max<int64_t>(k, 1));
    work += std::max(in, out) * taps;
  }
  return work;
}

bool verify_mode() {
  static const bool verify = [] {
    const char* v = std::getenv("EDGECNN_FUZZ_VERIFY");
    return v != nullptr && v[0] == '1';
  }();
  return verify;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<edgecnn::Isa> isas = edgecnn::available_isas();
  edgecnn::ModelOptions options;
  options.num_threads = 1;
  // Every SIMD tier of this machine gets inputs: the choice follows the size.
  options.isa = isas[size % isas.size()];
  options.verify_checksum = verify_mode();
  options.max_memory_bytes = kMaxMemoryBytes;
  try {
    edgecnn::Model model(data, size, options);
    if (estimated_work(edgecnn::parse_model_file(data, size, false), model) > kMaxForwardWork) return 0;
    std::vector<std::vector<float>> in_buffers, out_buffers;
    std::vector<const float*> inputs;
    std::vector<float*> outputs;
    for (const auto& t : model.inputs()) {
      in_buffers.emplace_back(static_cast<size_t>(edgecnn::num_elements(t.shape)), 0.0f);
      inputs.push_back(in_buffers.back().data());
    }
    for (const auto& t : model.outputs()) {
      out_buffers.emplace_back(static_cast<size_t>(edgecnn::num_elements(t.shape)), 0.0f);
      outputs.push_back(out_buffers.back().data());
    }
    model.forward(inputs, outputs);
  } catch (const edgecnn::FormatError&) {
  } catch (const edgecnn::UnsupportedError&) {
  } catch (const edgecnn::ArgumentError&) {
  } catch (const std::bad_alloc&) {
  }
  return 0;
}
