// A loaded model: the parsed file, one prepared operator per node, and an
// arena planned at load time. forward() allocates nothing.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/cpu.h"
#include "core/thread_pool.h"
#include "graph/model_def.h"
#include "ops/op.h"

namespace edgecnn {

// Largest memory a model may plan at load (activations, graph inputs and the
// shared scratch): a file asking for more is refused with FormatError before
// that memory is allocated, so a small hostile file cannot take the machine's.
constexpr size_t kDefaultMaxMemoryBytes = size_t{4} << 30;

struct ModelOptions {
  int num_threads = 0;  // 0: one per hardware thread
  Isa isa = Isa::kScalar;
  bool verify_checksum = true;
  size_t max_memory_bytes = kDefaultMaxMemoryBytes;
};

struct TensorInfo {
  std::string name;
  Shape shape;
};

class Model {
 public:
  // Copies `size` bytes of a .ecnn file into a 64-byte aligned buffer, parses
  // and validates it, prepares every operator, and plans memory.
  Model(const uint8_t* data, size_t size, const ModelOptions& options);
  ~Model();

  const std::string& metadata_json() const { return def_.metadata_json; }
  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }
  Isa isa() const { return isa_; }
  int num_threads() const { return pool_->num_threads(); }
  size_t arena_bytes() const { return arena_.size(); }
  size_t node_count() const { return def_.nodes.size(); }
  // Per graph output: whether forward() writes it straight into a caller's
  // 64-byte aligned buffer (else it is copied there at the end).
  std::vector<bool> outputs_in_place() const;

  // Throws ArgumentError unless there is one shape per input, equal to it.
  void check_input_shapes(const std::vector<Shape>& shapes) const;
  // inputs[i] holds inputs()[i].shape floats; outputs[i] receives
  // outputs()[i].shape floats, or is nullptr when that output is not wanted:
  // only the nodes the wanted outputs depend on run (a multi-head model runs
  // just the heads a call needs). Calls from several threads are serialized.
  // An output buffer on a 64-byte boundary is written by the node that
  // produces it, where that output has memory of its own in the arena (not
  // a view or part of another tensor); others are copied in at the end.
  void forward(const std::vector<const float*>& inputs, const std::vector<float*>& outputs);
  // forward() that also measures each node: seconds[i] is node i's wall time
  // (0 for views that share their input's buffer and do not run, and for a
  // producer fused into its consumer, whose time then holds both).
  void forward_profiled(const std::vector<const float*>& inputs, const std::vector<float*>& outputs,
                        std::vector<double>& seconds);

  struct NodeInfo {
    std::string name;
    std::string op_type;
    std::string output_name;  // of the node's first output
    Shape output_shape;
  };
  std::vector<NodeInfo> node_infos() const;

 private:
  void run_steps(const std::vector<const float*>& inputs, const std::vector<float*>& outputs,
                 std::vector<double>* seconds);
  // Which steps the outputs selected by `wanted` (bit i: output i) need;
  // computed once per combination. Called under forward_mutex_.
  const std::vector<uint8_t>& steps_for(uint64_t wanted);

  struct Step {
    std::unique_ptr<Op> op;
    std::vector<const float*> inputs;
    std::vector<float*> outputs;
    // Its outputs are placed in its inputs (views, Split), its inputs in its
    // output (Concat), or it is fused into its consumer (Op::fuse_producer).
    bool skip = false;
  };
  // Where a graph output's address appears in the steps: (step, slot) pairs
  // of Step::inputs and Step::outputs.
  struct OutputSlots {
    std::vector<std::pair<size_t, size_t>> reads, writes;
  };
  // Points the steps at `at` for output o (direct_outputs_[o] non-empty).
  void place_output(size_t o, float* at);

  AlignedBuffer file_;
  ModelDef def_;
  Isa isa_;
  std::unique_ptr<ThreadPool> pool_;
  std::vector<Shape> shapes_;
  std::vector<Step> steps_;
  AlignedBuffer arena_;
  float* scratch_ = nullptr;
  std::vector<float*> tensor_data_;  // arena address of each activation / input
  // Per graph output: the slots to redirect to a caller's buffer, or none
  // (empty writes) where it must be copied (forward()).
  std::vector<OutputSlots> direct_outputs_;
  // Per graph output, in the current forward(): whether it went to the
  // caller's buffer in place (kept here: no allocation per call).
  std::vector<uint8_t> written_in_place_;
  std::vector<TensorInfo> inputs_;
  std::vector<TensorInfo> outputs_;
  std::mutex forward_mutex_;
  std::map<uint64_t, std::vector<uint8_t>> steps_for_outputs_;
};

}  // namespace edgecnn
