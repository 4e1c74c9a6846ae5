// The in-memory form of a parsed .ecnn file (docs/format.md). Constant data
// points into the file buffer, which must outlive the ModelDef.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/shape.h"

namespace edgecnn {

enum class TensorKind : uint8_t { kActivation = 0, kConstant = 1, kInput = 2 };

struct TensorDef {
  std::string name;
  TensorKind kind = TensorKind::kActivation;
  bool has_shape = false;  // false: an activation whose shape the loader infers
  Shape shape;
  const float* data = nullptr;  // constants only
};

struct Attribute {
  enum class Type : uint8_t { kInt = 1, kFloat = 2, kInts = 3, kFloats = 4, kString = 5 };
  Type type = Type::kInt;
  int64_t i = 0;
  float f = 0.0f;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::string s;
};

struct NodeDef {
  std::string op_type;
  std::string name;
  std::vector<int32_t> inputs;  // -1: omitted optional input
  std::vector<int32_t> outputs;
  std::vector<std::pair<std::string, Attribute>> attrs;
};

struct ModelDef {
  uint32_t version = 0;
  uint32_t flags = 0;
  std::string metadata_json;
  std::vector<TensorDef> tensors;
  std::vector<NodeDef> nodes;
  std::vector<int32_t> inputs;
  std::vector<int32_t> outputs;
};

constexpr uint32_t kFormatVersion = 1;
constexpr uint32_t kFlagNeedsFallback = 1u;

// Parses and validates the structure of a .ecnn file held in memory: header,
// section table, checksum (when verify_checksum), every record and its bounds,
// and the graph's wiring (each tensor produced once, before it is read).
// Shapes and attributes are validated later, by each operator. Throws
// FormatError naming what is wrong; never reads outside [data, data + size).
ModelDef parse_model_file(const uint8_t* data, size_t size, bool verify_checksum);

uint32_t crc32(const uint8_t* data, size_t size);

}  // namespace edgecnn
