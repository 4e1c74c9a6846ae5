#include "ops/op.h"

namespace edgecnn {

const Attribute* NodeAttrs::find(const char* name) const {
  for (const auto& kv : node_.attrs)
    if (kv.first == name) return &kv.second;
  return nullptr;
}

const Attribute& NodeAttrs::expect(const char* name, Attribute::Type type, const char* type_name) const {
  const Attribute* a = find(name);
  if (a == nullptr) throw FormatError(std::string("missing required attribute '") + name + "'");
  if (a->type != type) throw FormatError(std::string("attribute '") + name + "' must be of type " + type_name);
  return *a;
}

int64_t NodeAttrs::get_int(const char* name, int64_t fallback) const {
  return has(name) ? require_int(name) : fallback;
}

int64_t NodeAttrs::require_int(const char* name) const { return expect(name, Attribute::Type::kInt, "int").i; }

float NodeAttrs::get_float(const char* name, float fallback) const {
  const Attribute* a = find(name);
  if (a == nullptr) return fallback;
  if (a->type == Attribute::Type::kInt) return static_cast<float>(a->i);
  return expect(name, Attribute::Type::kFloat, "float").f;
}

std::vector<int64_t> NodeAttrs::get_ints(const char* name, std::vector<int64_t> fallback) const {
  return has(name) ? require_ints(name) : fallback;
}

std::vector<int64_t> NodeAttrs::require_ints(const char* name) const {
  return expect(name, Attribute::Type::kInts, "ints").ints;
}

std::vector<float> NodeAttrs::get_floats(const char* name, std::vector<float> fallback) const {
  return has(name) ? expect(name, Attribute::Type::kFloats, "floats").floats : fallback;
}

std::string NodeAttrs::get_string(const char* name, const std::string& fallback) const {
  return has(name) ? expect(name, Attribute::Type::kString, "string").s : fallback;
}

void PrepareContext::expect_inputs(size_t lo, size_t hi, size_t required) const {
  const size_t n = input_shapes.size();
  if (n < lo || n > hi)
    throw FormatError("expects " + (lo == hi ? std::to_string(lo) : std::to_string(lo) + " to " + std::to_string(hi)) +
                      " inputs, has " + std::to_string(n));
  for (size_t i = 0; i < required && i < n; ++i)
    if (!present[i]) throw FormatError("required input " + std::to_string(i) + " is missing");
}

void PrepareContext::expect_outputs(size_t n) const {
  if (node.outputs.size() != n)
    throw FormatError("expects " + std::to_string(n) + " outputs, has " + std::to_string(node.outputs.size()));
}

void PrepareContext::check_output_shape(const Shape& shape) const {
  for (int64_t d : shape)
    if (d < 1) throw FormatError("the output would have shape " + shape_str(shape));
  const int64_t n = num_elements(shape);
  if (n > kMaxElements) throw FormatError("the output " + shape_str(shape) + " would have more than 2^31 - 1 elements");
  if (n > max_output_elements)
    throw FormatError("the output " + shape_str(shape) + " would need " + std::to_string(n * 4) +
                      " bytes, more than the model memory limit of " + std::to_string(max_output_elements * 4) +
                      " bytes");
}

void PrepareContext::check_table_bytes(double bytes, const char* what) const {
  const double limit = static_cast<double>(max_output_elements) * 4.0;
  if (bytes > limit)
    throw FormatError(std::string(what) + " would need " + std::to_string(static_cast<int64_t>(bytes)) +
                      " bytes, more than the model memory limit of " + std::to_string(static_cast<int64_t>(limit)) +
                      " bytes");
}

const float* PrepareContext::require_constant(size_t i, const char* what) const {
  if (i >= constant.size() || constant[i] == nullptr)
    throw UnsupportedError(std::string(what) + " (input " + std::to_string(i) + ") must be a constant");
  return constant[i];
}

}  // namespace edgecnn
