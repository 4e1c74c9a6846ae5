// The operator interface. An operator is created per node at load; prepare()
// validates attributes and input shapes (throwing FormatError or
// UnsupportedError), computes output shapes and does one-time work such as
// weight packing; run() then executes with no checks and no allocation.
//
// All tensors are float32, dense, row-major (NCHW for images).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "core/error.h"
#include "core/shape.h"
#include "core/thread_pool.h"
#include "graph/model_def.h"

namespace edgecnn {

// Typed access to a node's attributes; errors name the attribute.
class NodeAttrs {
 public:
  explicit NodeAttrs(const NodeDef& node) : node_(node) {}
  bool has(const char* name) const { return find(name) != nullptr; }
  int64_t get_int(const char* name, int64_t fallback) const;
  int64_t require_int(const char* name) const;
  float get_float(const char* name, float fallback) const;
  std::vector<int64_t> get_ints(const char* name, std::vector<int64_t> fallback = {}) const;
  std::vector<int64_t> require_ints(const char* name) const;
  std::vector<float> get_floats(const char* name, std::vector<float> fallback = {}) const;
  std::string get_string(const char* name, const std::string& fallback) const;

 private:
  const Attribute* find(const char* name) const;
  const Attribute& expect(const char* name, Attribute::Type type, const char* type_name) const;
  const NodeDef& node_;
};

struct PrepareContext {
  const NodeDef& node;
  NodeAttrs attrs;
  Isa isa;
  int num_threads;
  // One entry per node input; absent optional inputs have present[i] == false.
  std::vector<Shape> input_shapes;
  std::vector<bool> present;
  std::vector<const float*> constant;  // data of constant inputs, else nullptr
  // Filled by prepare(): one shape per node output.
  std::vector<Shape> output_shapes;
  // The largest output the model's memory limit allows (the executor checks
  // every output after prepare(); an op that allocates in proportion to its
  // output checks first, with check_output_shape).
  int64_t max_output_elements = kMaxElements;

  size_t input_count() const { return input_shapes.size(); }
  // Throws FormatError unless the input count is within [lo, hi] and inputs
  // [0, required) are present.
  void expect_inputs(size_t lo, size_t hi, size_t required) const;
  void expect_outputs(size_t n) const;
  const float* require_constant(size_t i, const char* what) const;
  // Throws FormatError unless every dim is >= 1 and the element count is at
  // most max_output_elements.
  void check_output_shape(const Shape& shape) const;
  // Throws FormatError if a table prepare() builds (index maps sized by the
  // output's axes) would take more than the memory limit.
  void check_table_bytes(double bytes, const char* what) const;
};

struct RunContext {
  const float* const* inputs;  // nullptr for an absent optional input
  float* const* outputs;
  float* scratch;  // scratch_bytes() of 64-byte aligned memory, shared by all nodes
  ThreadPool& pool;
};

class Op {
 public:
  virtual ~Op() = default;
  virtual void prepare(PrepareContext& ctx) = 0;
  virtual void run(const RunContext& ctx) const = 0;
  virtual size_t scratch_bytes() const { return 0; }
  // A view op's output has the same bytes as its input 0 (Reshape and
  // friends): the executor then shares the buffer and skips run().
  virtual bool is_view() const { return false; }
  // An op that only moves data between one whole and its parts, each part
  // one contiguous run of the whole (Concat and Split along an axis with
  // nothing before it of extent > 1): the parts' element offsets in the
  // whole, and whether the parts are the inputs (Concat) or the outputs
  // (Split). The executor may then place the parts inside the whole's
  // memory and skip run(). Empty offsets: no such layout.
  struct PartsLayout {
    std::vector<int64_t> offsets;
    bool parts_are_inputs = false;
  };
  virtual PartsLayout parts_layout() const { return {}; }
  // Producer fusion: called on a prepared op whose input 0 is the only use
  // of `producer`'s single output (not a graph output). Returning true, the
  // op takes over: from then on its run() gets the producer's input 0 in
  // place of its own input 0 (the producer's output is never stored), and
  // the producer does not run. The op keeps a pointer to `producer`, which
  // outlives it, and may change scratch_bytes().
  virtual bool fuse_producer(const Op& producer) {
    (void)producer;
    return false;
  }
};

// Creates the operator for op_type, or returns nullptr if there is none.
std::unique_ptr<Op> create_op(const std::string& op_type);
std::vector<std::string> supported_ops();

// Normalizes a possibly negative axis against rank, or throws FormatError.
int normalize_axis(int64_t axis, int64_t rank, const char* what);

}  // namespace edgecnn
