#include "graph/model.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "graph/memory_plan.h"

namespace edgecnn {

namespace {

// Tensors placed inside another's memory start on a 64-byte boundary, as
// the arena's buffers do.
constexpr int64_t kArenaAlignFloats = 64 / sizeof(float);

std::string node_label(const NodeDef& n, size_t index) {
  return "node " + std::to_string(index) + " ('" + n.name + "', " + n.op_type + ")";
}

// One UnsupportedError listing every node whose operator the core lacks, so a
// user sees the whole list at once.
void check_supported_ops(const ModelDef& def) {
  std::string missing;
  size_t count = 0;
  const std::vector<std::string> known = supported_ops();
  for (size_t i = 0; i < def.nodes.size(); ++i) {
    const NodeDef& n = def.nodes[i];
    if (std::binary_search(known.begin(), known.end(), n.op_type)) continue;
    missing += (count++ ? "; " : "") + n.op_type + " ('" + n.name + "')";
  }
  if (count)
    throw UnsupportedError("the native core does not support " + std::to_string(count) +
                           " node(s): " + missing);
}

}  // namespace

Model::Model(const uint8_t* data, size_t size, const ModelOptions& options)
    : file_(size), isa_(cap_isa(options.isa)) {
  if (size) std::memcpy(file_.data(), data, size);
  def_ = parse_model_file(file_.data(), size, options.verify_checksum);
  if (def_.flags & kFlagNeedsFallback)
    throw UnsupportedError("this model is marked as needing a fallback backend; the native core cannot run it");
  check_supported_ops(def_);
  const int threads = options.num_threads > 0 ? options.num_threads : ThreadPool::default_thread_count();

  // Shape inference and operator preparation, in node order. Every tensor an
  // operator sees fits the memory limit: graph inputs are checked here, each
  // node's outputs right after its prepare().
  const size_t max_bytes = options.max_memory_bytes;
  const int64_t max_elements = static_cast<int64_t>(std::min<size_t>(kMaxElements, max_bytes / sizeof(float)));
  auto memory_limit_error = [&](const std::string& what, size_t bytes) {
    return FormatError(what + " would need " + std::to_string(bytes) + " bytes, more than the model memory limit of " +
                       std::to_string(max_bytes) + " bytes");
  };
  const size_t tensor_count = def_.tensors.size();
  shapes_.assign(tensor_count, Shape{});
  for (size_t t = 0; t < tensor_count; ++t)
    if (def_.tensors[t].has_shape) shapes_[t] = def_.tensors[t].shape;
  for (int32_t t : def_.inputs)
    if (num_elements(shapes_[t]) > max_elements)
      throw memory_limit_error("graph input '" + def_.tensors[t].name + "' " + shape_str(shapes_[t]),
                               static_cast<size_t>(num_elements(shapes_[t])) * sizeof(float));
  steps_.resize(def_.nodes.size());
  size_t scratch_bytes = 0;
  for (size_t i = 0; i < def_.nodes.size(); ++i) {
    const NodeDef& n = def_.nodes[i];
    Step& step = steps_[i];
    step.op = create_op(n.op_type);
    PrepareContext ctx{n, NodeAttrs(n), isa_, threads, {}, {}, {}, {}};
    ctx.max_output_elements = max_elements;
    for (int32_t t : n.inputs) {
      ctx.present.push_back(t >= 0);
      ctx.input_shapes.push_back(t >= 0 ? shapes_[t] : Shape{});
      ctx.constant.push_back(t >= 0 && def_.tensors[t].kind == TensorKind::kConstant ? def_.tensors[t].data : nullptr);
    }
    try {
      step.op->prepare(ctx);
      if (ctx.output_shapes.size() != n.outputs.size())
        throw FormatError("expects " + std::to_string(ctx.output_shapes.size()) + " outputs, has " +
                          std::to_string(n.outputs.size()));
      for (size_t o = 0; o < n.outputs.size(); ++o) {
        const Shape& s = ctx.output_shapes[o];
        for (int64_t d : s)
          if (d < 1) throw FormatError("output " + std::to_string(o) + " would have shape " + shape_str(s));
        if (num_elements(s) > kMaxElements)
          throw FormatError("output " + std::to_string(o) + " would have more than 2^31 - 1 elements");
        if (num_elements(s) > max_elements)
          throw memory_limit_error("output " + std::to_string(o) + " " + shape_str(s),
                                   static_cast<size_t>(num_elements(s)) * sizeof(float));
        const TensorDef& td = def_.tensors[n.outputs[o]];
        if (td.has_shape && td.shape != s)
          throw FormatError("output '" + td.name + "' is declared " + shape_str(td.shape) + " but computes to " +
                            shape_str(s));
        shapes_[n.outputs[o]] = s;
      }
    } catch (const FormatError& e) {
      throw FormatError(node_label(n, i) + ": " + e.what());
    } catch (const UnsupportedError& e) {
      throw UnsupportedError(node_label(n, i) + ": " + e.what());
    }
    if (step.op->scratch_bytes() > max_bytes)
      throw memory_limit_error(node_label(n, i) + ": its scratch memory", step.op->scratch_bytes());
    scratch_bytes = std::max(scratch_bytes, step.op->scratch_bytes());
  }

  // Producer fusion (Op::fuse_producer): a node whose input 0 is the only
  // use of another node's single output may take that producer over. The
  // planning below then sees the consumer reading the producer's input 0
  // and the producer with no inputs or outputs (its output has no memory;
  // the step does not run).
  struct NodeIo {
    std::vector<int32_t> inputs, outputs;
  };
  std::vector<NodeIo> io(def_.nodes.size());
  for (size_t i = 0; i < def_.nodes.size(); ++i) io[i] = {def_.nodes[i].inputs, def_.nodes[i].outputs};
  {
    std::vector<int64_t> producer(tensor_count, -1), uses(tensor_count, 0);
    for (size_t i = 0; i < def_.nodes.size(); ++i) {
      for (int32_t t : def_.nodes[i].inputs)
        if (t >= 0) ++uses[t];
      for (int32_t t : def_.nodes[i].outputs) producer[t] = static_cast<int64_t>(i);
    }
    for (int32_t t : def_.outputs) ++uses[t];
    for (size_t j = 0; j < def_.nodes.size(); ++j) {
      if (io[j].inputs.empty() || io[j].inputs[0] < 0) continue;
      const int32_t t = io[j].inputs[0];
      const int64_t i = producer[t];
      if (i < 0 || uses[t] != 1 || io[i].outputs.size() != 1 || io[i].inputs.empty() || io[i].inputs[0] < 0 ||
          steps_[i].skip)
        continue;
      if (!steps_[j].op->fuse_producer(*steps_[i].op)) continue;
      io[j].inputs[0] = io[i].inputs[0];
      io[i] = NodeIo{};
      steps_[i].skip = true;
      scratch_bytes = std::max(scratch_bytes, steps_[j].op->scratch_bytes());
      if (steps_[j].op->scratch_bytes() > max_bytes)
        throw memory_limit_error(node_label(def_.nodes[j], j) + ": its scratch memory", steps_[j].op->scratch_bytes());
    }
  }

  // Placement: every activation and graph input lives in the arena, at
  // element offset parent_offset[t] inside the memory of tensor parent[t]
  // (itself, for a tensor with memory of its own: a root). A view's output
  // is its input's memory; a Split's outputs and a Concat's inputs can be
  // parts of the whole's memory (Op::parts_layout, below); those steps skip
  // run().
  std::vector<int64_t> parent(tensor_count, -1), parent_offset(tensor_count, 0);  // -1: not in the arena
  std::vector<uint8_t> graph_input(tensor_count, 0);
  for (int32_t t : def_.inputs) {
    parent[t] = t;
    graph_input[t] = 1;
  }
  const auto in_arena = [&](int32_t t) { return t >= 0 && parent[t] >= 0; };
  const auto root_of = [&](int64_t t, int64_t* offset) {
    *offset = 0;
    for (; parent[t] != t; t = parent[t]) *offset += parent_offset[t];
    return t;
  };
  const auto elements = [&](int64_t t) { return num_elements(shapes_[static_cast<size_t>(t)]); };
  for (size_t i = 0; i < def_.nodes.size(); ++i) {
    const NodeIo& n = io[i];
    const Op& op = *steps_[i].op;
    for (int32_t t : n.outputs) parent[t] = t;
    if (steps_[i].skip) continue;  // fused into its consumer
    if (op.is_view() && !n.inputs.empty() && in_arena(n.inputs[0])) {
      parent[n.outputs[0]] = n.inputs[0];
      steps_[i].skip = true;
      continue;
    }
    const Op::PartsLayout parts = op.parts_layout();
    if (parts.offsets.empty()) continue;
    if (!parts.parts_are_inputs) {
      // Split: each output inside the input, where 64-byte aligned.
      bool aligned = in_arena(n.inputs[0]);
      for (int64_t offset : parts.offsets) aligned = aligned && offset % kArenaAlignFloats == 0;
      if (!aligned) continue;
      for (size_t k = 0; k < n.outputs.size(); ++k) {
        parent[n.outputs[k]] = n.inputs[0];
        parent_offset[n.outputs[k]] = parts.offsets[k];
      }
      steps_[i].skip = true;
      continue;
    }
    // Concat: each input's root moves inside the output, so that the input
    // lands on its part. Every input must be an activation (no graph input:
    // it is copied in before the first step), each once; inputs sharing a
    // root (a Split's outputs) must agree on where it goes, and the roots'
    // spans must fit the output without overlapping, 64-byte aligned.
    const int32_t whole = n.outputs[0];
    std::vector<std::pair<int64_t, int64_t>> moves;  // (place in the whole, root)
    bool ok = true;
    for (size_t k = 0; ok && k < n.inputs.size(); ++k) {
      const int32_t t = n.inputs[k];
      ok = in_arena(t) && std::count(n.inputs.begin(), n.inputs.end(), t) == 1;
      if (!ok) break;
      int64_t offset = 0;
      const int64_t root = root_of(t, &offset);
      const int64_t place = parts.offsets[k] - offset;
      ok = !graph_input[root] && place >= 0 && place % kArenaAlignFloats == 0 &&
           place + elements(root) <= elements(whole);
      for (const auto& m : moves)
        if (ok && m.second == root) ok = m.first == place;
      if (ok) moves.push_back({place, root});
    }
    if (!ok) continue;
    std::sort(moves.begin(), moves.end());
    moves.erase(std::unique(moves.begin(), moves.end()), moves.end());
    for (size_t k = 1; ok && k < moves.size(); ++k)
      ok = moves[k - 1].first + elements(moves[k - 1].second) <= moves[k].first;
    if (!ok) continue;
    for (const auto& m : moves) {
      parent[m.second] = whole;
      parent_offset[m.second] = m.first;
    }
    steps_[i].skip = true;
  }

  // One buffer per root, alive from the first step that writes any tensor
  // inside it to the last step that reads one (graph outputs: to the end).
  const int64_t end_step = static_cast<int64_t>(def_.nodes.size());
  std::vector<int64_t> buffer_of(tensor_count, -1);
  std::vector<BufferLifetime> buffers;
  for (size_t t = 0; t < tensor_count; ++t)
    if (parent[t] == static_cast<int64_t>(t)) {
      buffer_of[t] = static_cast<int64_t>(buffers.size());
      const int64_t step = graph_input[t] ? -1 : end_step;
      buffers.push_back({static_cast<size_t>(elements(static_cast<int64_t>(t))) * sizeof(float), step, -1});
    }
  const auto touch = [&](int32_t t, int64_t step, bool writes) {
    int64_t offset = 0;
    BufferLifetime& b = buffers[static_cast<size_t>(buffer_of[root_of(t, &offset)])];
    if (writes) b.first_step = std::min(b.first_step, step);
    b.last_step = std::max(b.last_step, step);
  };
  for (size_t i = 0; i < def_.nodes.size(); ++i) {
    for (int32_t t : io[i].inputs)
      if (in_arena(t)) touch(t, static_cast<int64_t>(i), false);
    for (int32_t t : io[i].outputs) touch(t, static_cast<int64_t>(i), true);
  }
  for (int32_t t : def_.inputs) touch(t, -1, true);
  for (int32_t t : def_.outputs)
    if (in_arena(t)) touch(t, end_step, false);
  const MemoryPlan plan = plan_memory(buffers);
  const size_t scratch_offset = round_up(plan.arena_bytes, AlignedBuffer::kAlignment);
  if (scratch_offset > max_bytes || scratch_bytes > max_bytes - scratch_offset)
    throw memory_limit_error("the model's activations and scratch", scratch_offset + scratch_bytes);
  arena_ = AlignedBuffer(scratch_offset + scratch_bytes);
  scratch_ = reinterpret_cast<float*>(arena_.data() + scratch_offset);
  tensor_data_.assign(tensor_count, nullptr);
  for (size_t t = 0; t < tensor_count; ++t)
    if (parent[t] >= 0) {
      int64_t offset = 0;
      const int64_t root = root_of(static_cast<int64_t>(t), &offset);
      tensor_data_[t] = reinterpret_cast<float*>(arena_.data() + plan.offsets[static_cast<size_t>(buffer_of[root])]) +
                        offset;
    }
  for (size_t i = 0; i < def_.nodes.size(); ++i) {
    const NodeIo& n = io[i];
    for (int32_t t : n.inputs)
      steps_[i].inputs.push_back(t < 0 ? nullptr
                                       : def_.tensors[t].kind == TensorKind::kConstant ? def_.tensors[t].data
                                                                                        : tensor_data_[t]);
    for (int32_t t : n.outputs) steps_[i].outputs.push_back(tensor_data_[t]);
  }
  for (int32_t t : def_.inputs) inputs_.push_back({def_.tensors[t].name, shapes_[t]});
  for (int32_t t : def_.outputs) outputs_.push_back({def_.tensors[t].name, shapes_[t]});
  // Outputs that a caller's buffer can stand in for: a root written by a
  // step that runs, listed once, with no other tensor inside its memory
  // (a view of it, a Concat input placed in it).
  std::vector<int64_t> inside(tensor_count, 0);
  for (size_t t = 0; t < tensor_count; ++t)
    if (parent[t] >= 0 && parent[t] != static_cast<int64_t>(t)) {
      int64_t offset = 0;
      ++inside[static_cast<size_t>(root_of(static_cast<int64_t>(t), &offset))];
    }
  direct_outputs_.assign(def_.outputs.size(), OutputSlots{});
  for (size_t o = 0; o < def_.outputs.size(); ++o) {
    const int32_t t = def_.outputs[o];
    if (!in_arena(t) || parent[t] != t || graph_input[t] || inside[t] != 0 ||
        std::count(def_.outputs.begin(), def_.outputs.end(), t) != 1)
      continue;
    OutputSlots slots;
    for (size_t i = 0; i < def_.nodes.size(); ++i) {
      const NodeIo& n = io[i];
      for (size_t k = 0; k < n.inputs.size(); ++k)
        if (n.inputs[k] == t) slots.reads.push_back({i, k});
      for (size_t k = 0; k < n.outputs.size(); ++k)
        if (n.outputs[k] == t && !steps_[i].skip) slots.writes.push_back({i, k});
    }
    if (slots.writes.size() == 1) direct_outputs_[o] = std::move(slots);
  }
  pool_ = std::make_unique<ThreadPool>(threads);
}

std::vector<bool> Model::outputs_in_place() const {
  std::vector<bool> out;
  for (const OutputSlots& slots : direct_outputs_) out.push_back(!slots.writes.empty());
  return out;
}

void Model::place_output(size_t o, float* at) {
  for (const auto& r : direct_outputs_[o].reads) steps_[r.first].inputs[r.second] = at;
  for (const auto& w : direct_outputs_[o].writes) steps_[w.first].outputs[w.second] = at;
}

Model::~Model() = default;

void Model::check_input_shapes(const std::vector<Shape>& shapes) const {
  if (shapes.size() != inputs_.size())
    throw ArgumentError("the model takes " + std::to_string(inputs_.size()) + " input(s), got " +
                        std::to_string(shapes.size()));
  for (size_t i = 0; i < shapes.size(); ++i)
    if (shapes[i] != inputs_[i].shape)
      throw ArgumentError("input '" + inputs_[i].name + "' must have shape " + shape_str(inputs_[i].shape) +
                          ", got " + shape_str(shapes[i]));
}

void Model::forward(const std::vector<const float*>& inputs, const std::vector<float*>& outputs) {
  if (inputs.size() != inputs_.size())
    throw ArgumentError("the model takes " + std::to_string(inputs_.size()) + " input(s), got " +
                        std::to_string(inputs.size()));
  if (outputs.size() != outputs_.size())
    throw ArgumentError("the model has " + std::to_string(outputs_.size()) + " output(s), got " +
                        std::to_string(outputs.size()) + " buffers");
  run_steps(inputs, outputs, nullptr);
}

void Model::forward_profiled(const std::vector<const float*>& inputs, const std::vector<float*>& outputs,
                             std::vector<double>& seconds) {
  if (inputs.size() != inputs_.size() || outputs.size() != outputs_.size())
    throw ArgumentError("forward_profiled: wrong number of inputs or outputs");
  seconds.assign(steps_.size(), 0.0);
  run_steps(inputs, outputs, &seconds);
}

const std::vector<uint8_t>& Model::steps_for(uint64_t wanted) {
  auto it = steps_for_outputs_.find(wanted);
  if (it != steps_for_outputs_.end()) return it->second;
  std::vector<uint8_t> needed_tensor(def_.tensors.size(), 0);
  for (size_t o = 0; o < def_.outputs.size(); ++o)
    if (wanted >> o & 1) needed_tensor[def_.outputs[o]] = 1;
  std::vector<uint8_t> needed_step(steps_.size(), 0);
  for (size_t i = steps_.size(); i-- > 0;) {
    const NodeDef& n = def_.nodes[i];
    for (int32_t t : n.outputs) needed_step[i] |= needed_tensor[t];
    if (needed_step[i])
      for (int32_t t : n.inputs)
        if (t >= 0) needed_tensor[t] = 1;
  }
  return steps_for_outputs_.emplace(wanted, std::move(needed_step)).first->second;
}

void Model::run_steps(const std::vector<const float*>& inputs, const std::vector<float*>& outputs,
                      std::vector<double>* seconds) {
  uint64_t wanted = 0;
  for (size_t o = 0; o < outputs.size(); ++o)
    if (outputs[o] != nullptr) wanted |= uint64_t{1} << o;
  std::lock_guard<std::mutex> lock(forward_mutex_);
  // After a pause (between frames) the workers sleep, and waking one takes
  // about 75 us on a KVM guest (Zen 4 host), which the first layer used to
  // wait for: woken here, they wake while the input is copied. MobileNetV2's
  // first conv at 2 threads after 50 ms idle: 0.26 -> 0.19 ms (medians,
  // alternating calls of one process).
  pool_->wake_workers();
  const ThreadPool::Session session(*pool_);
  const std::vector<uint8_t>& needed = steps_for(wanted);
  for (size_t i = 0; i < inputs.size(); ++i)
    std::memcpy(tensor_data_[def_.inputs[i]], inputs[i], num_elements(inputs_[i].shape) * sizeof(float));
  // The caller's buffers for the outputs that allow it (a whole copy less:
  // LRASPP's 21 x 520 x 520 map is 23 MB); the arena's for the others,
  // which are copied out below.
  written_in_place_.assign(outputs.size(), 0);
  for (size_t o = 0; o < outputs.size(); ++o) {
    if (direct_outputs_[o].writes.empty()) continue;
    written_in_place_[o] = outputs[o] != nullptr && reinterpret_cast<uintptr_t>(outputs[o]) % 64 == 0;
    place_output(o, written_in_place_[o] ? outputs[o] : tensor_data_[def_.outputs[o]]);
  }
  for (size_t i = 0; i < steps_.size(); ++i) {
    const Step& step = steps_[i];
    if (step.skip || !needed[i]) continue;
    const auto start = std::chrono::steady_clock::now();
    step.op->run(RunContext{step.inputs.data(), step.outputs.data(), scratch_, *pool_});
    if (seconds) (*seconds)[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  for (size_t o = 0; o < outputs.size(); ++o)
    if (outputs[o] != nullptr && !written_in_place_[o])
      std::memcpy(outputs[o], tensor_data_[def_.outputs[o]], num_elements(outputs_[o].shape) * sizeof(float));
}

std::vector<Model::NodeInfo> Model::node_infos() const {
  std::vector<NodeInfo> out;
  for (const NodeDef& n : def_.nodes) out.push_back({n.name, n.op_type, def_.tensors[n.outputs[0]].name, shapes_[n.outputs[0]]});
  return out;
}

}  // namespace edgecnn
