#include <cstring>
#include <string>
#include <unordered_set>

#include "core/error.h"
#include "graph/model_def.h"

namespace edgecnn {

namespace {

constexpr uint8_t kMagic[8] = {'E', 'C', 'N', 'N', '\r', '\n', 0x1A, '\n'};
constexpr size_t kHeaderSize = 32;
constexpr size_t kSectionEntrySize = 32;
constexpr uint32_t kMinSections = 3;
constexpr uint32_t kMaxSections = 16;
constexpr size_t kMaxMetadataBytes = size_t{16} << 20;
constexpr uint32_t kMaxStringBytes = 4096;
constexpr uint32_t kMaxTensors = 1000000;
constexpr uint32_t kMaxNodes = 1000000;
constexpr uint32_t kMaxNodeEdges = 64;
constexpr uint32_t kMaxAttrs = 64;
constexpr uint32_t kMaxAttrValues = 65536;
// Smallest encodings of a record, used to refuse counts the section cannot
// hold before anything is allocated for them.
constexpr size_t kMinTensorRecord = 4 + 4;
constexpr size_t kMinNodeRecord = 4 + 4 + 4 + 4 + 4 + 4;

// Strict UTF-8 (no overlong forms, no surrogates, at most U+10FFFF). Names and
// strings reach Python and error messages, so they must decode.
bool is_valid_utf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static const uint32_t kMinForLength[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

// Bounds-checked little-endian reader over one section.
class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, const char* section) : data_(data), size_(size), section_(section) {}

  size_t remaining() const { return size_ - pos_; }
  size_t position() const { return pos_; }

  void need(size_t n, const char* what) const {
    if (n > remaining())
      throw FormatError(std::string(section_) + " section truncated: " + what + " needs " + std::to_string(n) +
                        " bytes at offset " + std::to_string(pos_) + ", " + std::to_string(remaining()) + " left");
  }
  uint8_t u8(const char* what) {
    need(1, what);
    return data_[pos_++];
  }
  uint32_t u32(const char* what) {
    need(4, what);
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | data_[pos_ + i];
    pos_ += 4;
    return v;
  }
  uint64_t u64(const char* what) {
    need(8, what);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | data_[pos_ + i];
    pos_ += 8;
    return v;
  }
  int32_t i32(const char* what) { return static_cast<int32_t>(u32(what)); }
  int64_t i64(const char* what) { return static_cast<int64_t>(u64(what)); }
  float f32(const char* what) {
    const uint32_t bits = u32(what);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  std::string str(const char* what) {
    const uint32_t len = u32(what);
    if (len > kMaxStringBytes)
      throw FormatError(std::string(section_) + " section: " + what + " length " + std::to_string(len) +
                        " exceeds " + std::to_string(kMaxStringBytes));
    need(len, what);
    if (!is_valid_utf8(data_ + pos_, len))
      throw FormatError(std::string(section_) + " section: " + what + " at offset " + std::to_string(pos_) +
                        " is not valid UTF-8");
    std::string s(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len;
    if (s.find('\0') != std::string::npos)
      throw FormatError(std::string(section_) + " section: " + what + " contains a NUL byte");
    return s;
  }
  // A count of records whose encodings take at least min_record bytes each.
  uint32_t count(const char* what, uint32_t limit, size_t min_record) {
    const uint32_t n = u32(what);
    if (n > limit)
      throw FormatError(std::string(section_) + " section: " + what + " " + std::to_string(n) + " exceeds the limit " +
                        std::to_string(limit));
    if (min_record != 0 && n > remaining() / min_record)
      throw FormatError(std::string(section_) + " section: " + what + " " + std::to_string(n) +
                        " cannot fit in the " + std::to_string(remaining()) + " bytes left");
    return n;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const char* section_;
};

struct Section {
  uint64_t offset = 0;
  uint64_t size = 0;
  bool present = false;
};

std::string tensor_label(const ModelDef& m, int32_t index) {
  return "tensor " + std::to_string(index) + " ('" + m.tensors[index].name + "')";
}

void parse_tensor(ByteReader& r, const Section& weights, const uint8_t* file, TensorDef& t, size_t index) {
  const std::string where = "tensor " + std::to_string(index);
  t.name = r.str("tensor name");
  const uint8_t dtype = r.u8("tensor dtype");
  const uint8_t kind = r.u8("tensor kind");
  const uint8_t rank = r.u8("tensor rank");
  const uint8_t reserved = r.u8("tensor reserved byte");
  if (dtype != 1)
    throw FormatError(where + " ('" + t.name + "'): dtype " + std::to_string(dtype) + " is not float32 (1)");
  if (kind > 2) throw FormatError(where + " ('" + t.name + "'): unknown kind " + std::to_string(kind));
  if (reserved != 0) throw FormatError(where + " ('" + t.name + "'): reserved byte is not 0");
  t.kind = static_cast<TensorKind>(kind);
  if (rank == 255) {
    if (t.kind != TensorKind::kActivation)
      throw FormatError(where + " ('" + t.name + "'): only activations may leave their shape to inference");
    t.has_shape = false;
  } else {
    if (rank > kMaxRank)
      throw FormatError(where + " ('" + t.name + "'): rank " + std::to_string(rank) + " exceeds " +
                        std::to_string(kMaxRank));
    t.has_shape = true;
    t.shape.resize(rank);
    int64_t numel = 1;
    for (int d = 0; d < rank; ++d) {
      const int64_t dim = r.i64("tensor dim");
      if (dim < 1 || dim > kMaxElements)
        throw FormatError(where + " ('" + t.name + "'): dimension " + std::to_string(d) + " is " +
                          std::to_string(dim) + ", outside [1, 2^31)");
      if (numel > kMaxElements / dim)
        throw FormatError(where + " ('" + t.name + "'): more than 2^31 - 1 elements");
      numel *= dim;
      t.shape[d] = dim;
    }
  }
  if (t.kind == TensorKind::kConstant) {
    const uint64_t offset = r.u64("constant data offset");
    const uint64_t size = r.u64("constant data size");
    const uint64_t expected = static_cast<uint64_t>(num_elements(t.shape)) * 4u;
    if (offset % 64 != 0)
      throw FormatError(where + " ('" + t.name + "'): data offset " + std::to_string(offset) +
                        " is not a multiple of 64");
    if (size != expected)
      throw FormatError(where + " ('" + t.name + "'): data size " + std::to_string(size) + " does not match shape " +
                        shape_str(t.shape) + " (" + std::to_string(expected) + " bytes)");
    if (offset > weights.size || size > weights.size - offset)
      throw FormatError(where + " ('" + t.name + "'): data [" + std::to_string(offset) + ", +" +
                        std::to_string(size) + ") lies outside the WEIGHTS section of " +
                        std::to_string(weights.size) + " bytes");
    t.data = reinterpret_cast<const float*>(file + weights.offset + offset);
  }
}

void parse_attribute(ByteReader& r, std::pair<std::string, Attribute>& out, const std::string& where) {
  out.first = r.str("attribute name");
  Attribute& a = out.second;
  const uint8_t type = r.u8("attribute type");
  const std::string label = where + ", attribute '" + out.first + "'";
  switch (type) {
    case 1:
      a.type = Attribute::Type::kInt;
      a.i = r.i64("int attribute");
      break;
    case 2:
      a.type = Attribute::Type::kFloat;
      a.f = r.f32("float attribute");
      break;
    case 3: {
      a.type = Attribute::Type::kInts;
      const uint32_t n = r.count("ints attribute length", kMaxAttrValues, 8);
      a.ints.resize(n);
      for (uint32_t i = 0; i < n; ++i) a.ints[i] = r.i64("ints attribute value");
      break;
    }
    case 4: {
      a.type = Attribute::Type::kFloats;
      const uint32_t n = r.count("floats attribute length", kMaxAttrValues, 4);
      a.floats.resize(n);
      for (uint32_t i = 0; i < n; ++i) a.floats[i] = r.f32("floats attribute value");
      break;
    }
    case 5:
      a.type = Attribute::Type::kString;
      a.s = r.str("string attribute");
      break;
    default:
      throw FormatError(label + ": unknown attribute type " + std::to_string(type));
  }
}

void parse_node(ByteReader& r, ModelDef& m, NodeDef& n, size_t index) {
  n.op_type = r.str("node op_type");
  n.name = r.str("node name");
  const std::string where = "node " + std::to_string(index) + " ('" + n.name + "', " + n.op_type + ")";
  const int64_t tensor_count = static_cast<int64_t>(m.tensors.size());
  const uint32_t in_count = r.count("node input count", kMaxNodeEdges, 4);
  n.inputs.resize(in_count);
  for (uint32_t i = 0; i < in_count; ++i) {
    const int32_t t = r.i32("node input");
    if (t < -1 || t >= tensor_count)
      throw FormatError(where + ": input " + std::to_string(i) + " refers to tensor " + std::to_string(t) +
                        ", outside [-1, " + std::to_string(tensor_count) + ")");
    n.inputs[i] = t;
  }
  const uint32_t out_count = r.count("node output count", kMaxNodeEdges, 4);
  if (out_count == 0) throw FormatError(where + ": has no outputs");
  n.outputs.resize(out_count);
  for (uint32_t i = 0; i < out_count; ++i) {
    const int32_t t = r.i32("node output");
    if (t < 0 || t >= tensor_count)
      throw FormatError(where + ": output " + std::to_string(i) + " refers to tensor " + std::to_string(t) +
                        ", outside [0, " + std::to_string(tensor_count) + ")");
    n.outputs[i] = t;
  }
  const uint32_t attr_count = r.count("node attribute count", kMaxAttrs, 5);
  n.attrs.resize(attr_count);
  for (uint32_t i = 0; i < attr_count; ++i) {
    parse_attribute(r, n.attrs[i], where);
    for (uint32_t j = 0; j < i; ++j)
      if (n.attrs[j].first == n.attrs[i].first)
        throw FormatError(where + ": attribute '" + n.attrs[i].first + "' appears twice");
  }
}

// Checks the wiring: every activation produced exactly once, by a node that
// runs before every reader; graph inputs and outputs well formed.
void validate_wiring(const ModelDef& m) {
  const size_t tensor_count = m.tensors.size();
  std::vector<uint8_t> available(tensor_count, 0);
  std::vector<uint8_t> is_graph_input(tensor_count, 0);
  for (int32_t t : m.inputs) {
    if (t < 0 || static_cast<size_t>(t) >= tensor_count)
      throw FormatError("graph input refers to tensor " + std::to_string(t) + ", outside [0, " +
                        std::to_string(tensor_count) + ")");
    if (m.tensors[t].kind != TensorKind::kInput)
      throw FormatError("graph input " + tensor_label(m, t) + " is not of kind 'graph input'");
    if (is_graph_input[t]) throw FormatError("graph input " + tensor_label(m, t) + " is listed twice");
    is_graph_input[t] = 1;
  }
  for (size_t t = 0; t < tensor_count; ++t) {
    if (m.tensors[t].kind == TensorKind::kInput && !is_graph_input[t])
      throw FormatError(tensor_label(m, static_cast<int32_t>(t)) + " is of kind 'graph input' but not listed as one");
    if (m.tensors[t].kind != TensorKind::kActivation) available[t] = 1;
  }
  for (size_t i = 0; i < m.nodes.size(); ++i) {
    const NodeDef& n = m.nodes[i];
    const std::string where = "node " + std::to_string(i) + " ('" + n.name + "', " + n.op_type + ")";
    for (int32_t t : n.inputs)
      if (t >= 0 && !available[t])
        throw FormatError(where + " reads " + tensor_label(m, t) +
                          " before any node produces it (nodes must be in topological order; the graph must be acyclic)");
    for (int32_t t : n.outputs) {
      if (m.tensors[t].kind != TensorKind::kActivation)
        throw FormatError(where + " writes " + tensor_label(m, t) + ", which is a constant or graph input");
      if (available[t]) throw FormatError(where + " writes " + tensor_label(m, t) + ", which is already produced");
      available[t] = 1;
    }
  }
  for (size_t t = 0; t < tensor_count; ++t)
    if (!available[t]) throw FormatError(tensor_label(m, static_cast<int32_t>(t)) + " is never produced");
  std::vector<uint8_t> is_output(tensor_count, 0);
  for (int32_t t : m.outputs) {
    if (t < 0 || static_cast<size_t>(t) >= tensor_count)
      throw FormatError("graph output refers to tensor " + std::to_string(t) + ", outside [0, " +
                        std::to_string(tensor_count) + ")");
    if (m.tensors[t].kind == TensorKind::kConstant)
      throw FormatError("graph output " + tensor_label(m, t) + " is a constant");
    if (is_output[t]) throw FormatError("graph output " + tensor_label(m, t) + " is listed twice");
    is_output[t] = 1;
  }
}

void parse_graph(const uint8_t* file, const Section& graph, const Section& weights, ModelDef& m) {
  ByteReader r(file + graph.offset, graph.size, "GRAPH");
  const uint32_t tensor_count = r.count("tensor count", kMaxTensors, kMinTensorRecord);
  m.tensors.resize(tensor_count);
  std::unordered_set<std::string> names;
  names.reserve(tensor_count);
  for (uint32_t i = 0; i < tensor_count; ++i) {
    parse_tensor(r, weights, file, m.tensors[i], i);
    if (!names.insert(m.tensors[i].name).second)
      throw FormatError("tensor " + std::to_string(i) + ": name '" + m.tensors[i].name + "' is used twice");
  }
  const uint32_t node_count = r.count("node count", kMaxNodes, kMinNodeRecord);
  m.nodes.resize(node_count);
  for (uint32_t i = 0; i < node_count; ++i) parse_node(r, m, m.nodes[i], i);
  const uint32_t in_count = r.count("graph input count", kMaxNodeEdges, 4);
  if (in_count == 0) throw FormatError("the graph has no inputs");
  m.inputs.resize(in_count);
  for (uint32_t i = 0; i < in_count; ++i) m.inputs[i] = r.i32("graph input");
  const uint32_t out_count = r.count("graph output count", kMaxNodeEdges, 4);
  if (out_count == 0) throw FormatError("the graph has no outputs");
  m.outputs.resize(out_count);
  for (uint32_t i = 0; i < out_count; ++i) m.outputs[i] = r.i32("graph output");
  if (r.remaining() != 0)
    throw FormatError("GRAPH section has " + std::to_string(r.remaining()) + " trailing bytes");
  for (size_t t : m.inputs)
    if (t < m.tensors.size() && !m.tensors[t].has_shape)
      throw FormatError("graph input " + tensor_label(m, static_cast<int32_t>(t)) + " has no shape");
  validate_wiring(m);
}

}  // namespace

uint32_t crc32(const uint8_t* data, size_t size) {
  static const auto table = [] {
    struct Table { uint32_t v[8][256]; } t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t.v[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 8; ++s) t.v[s][i] = (t.v[s - 1][i] >> 8) ^ t.v[0][t.v[s - 1][i] & 0xFF];
    return t;
  }();
  uint32_t c = 0xFFFFFFFFu;
  size_t i = 0;
  // Slicing-by-8: eight table lookups per 8 input bytes.
  for (; i + 8 <= size; i += 8) {
    const uint32_t lo = c ^ (uint32_t(data[i]) | uint32_t(data[i + 1]) << 8 | uint32_t(data[i + 2]) << 16 |
                             uint32_t(data[i + 3]) << 24);
    c = table.v[7][lo & 0xFF] ^ table.v[6][(lo >> 8) & 0xFF] ^ table.v[5][(lo >> 16) & 0xFF] ^
        table.v[4][lo >> 24] ^ table.v[3][data[i + 4]] ^ table.v[2][data[i + 5]] ^ table.v[1][data[i + 6]] ^
        table.v[0][data[i + 7]];
  }
  for (; i < size; ++i) c = table.v[0][(c ^ data[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

ModelDef parse_model_file(const uint8_t* data, size_t size, bool verify_checksum) {
  if (size < kHeaderSize)
    throw FormatError("not an .ecnn file: " + std::to_string(size) + " bytes is shorter than the 32-byte header");
  if (std::memcmp(data, kMagic, sizeof kMagic) != 0) throw FormatError("not an .ecnn file: bad magic bytes");
  ByteReader header(data + 8, kHeaderSize - 8, "header");
  ModelDef m;
  m.version = header.u32("version");
  if (m.version != kFormatVersion)
    throw FormatError("unsupported .ecnn version " + std::to_string(m.version) + " (this build reads version " +
                      std::to_string(kFormatVersion) + ")");
  const uint32_t section_count = header.u32("section count");
  const uint64_t file_size = header.u64("file size");
  const uint32_t checksum = header.u32("checksum");
  m.flags = header.u32("flags");
  if (file_size != size)
    throw FormatError("file size mismatch: the header says " + std::to_string(file_size) + " bytes, the file has " +
                      std::to_string(size) + " (truncated or padded?)");
  if (m.flags & ~kFlagNeedsFallback) throw FormatError("unknown header flags " + std::to_string(m.flags));
  if (section_count < kMinSections || section_count > kMaxSections)
    throw FormatError("section count " + std::to_string(section_count) + " outside [3, 16]");
  const size_t table_end = kHeaderSize + size_t{section_count} * kSectionEntrySize;
  if (table_end > size) throw FormatError("section table extends past the end of the file");
  if (verify_checksum) {
    const uint32_t actual = crc32(data + kHeaderSize, size - kHeaderSize);
    if (actual != checksum)
      throw FormatError("checksum mismatch: the file is corrupted (stored CRC-32 " + std::to_string(checksum) +
                        ", computed " + std::to_string(actual) + ")");
  }
  Section meta, graph, weights;
  std::vector<Section> all;
  ByteReader table(data + kHeaderSize, table_end - kHeaderSize, "section table");
  for (uint32_t i = 0; i < section_count; ++i) {
    char tag[9] = {0};
    for (int k = 0; k < 8; ++k) tag[k] = static_cast<char>(table.u8("section tag"));
    Section s;
    s.offset = table.u64("section offset");
    s.size = table.u64("section size");
    const uint64_t reserved = table.u64("section reserved");
    s.present = true;
    for (int k = 0; k < 8; ++k)
      if (tag[k] != 0 && (tag[k] < 0x20 || tag[k] > 0x7E))
        throw FormatError("section " + std::to_string(i) + ": tag is not printable ASCII");
    const std::string name(tag, strnlen(tag, 8));
    if (reserved != 0) throw FormatError("section '" + name + "': reserved field is not 0");
    if (s.offset % 64 != 0 || s.offset < table_end)
      throw FormatError("section '" + name + "': offset " + std::to_string(s.offset) +
                        " is not a multiple of 64 past the section table");
    if (s.offset > size || s.size > size - s.offset)
      throw FormatError("section '" + name + "': [" + std::to_string(s.offset) + ", +" + std::to_string(s.size) +
                        ") extends past the end of the file (" + std::to_string(size) + " bytes)");
    for (size_t k = name.size(); k < 8; ++k)
      if (tag[k] != 0) throw FormatError("section tag is not NUL-padded ASCII");
    Section* slot = name == "META" ? &meta : name == "GRAPH" ? &graph : name == "WEIGHTS" ? &weights : nullptr;
    if (slot == nullptr) throw FormatError("unknown section '" + name + "'");
    if (slot->present) throw FormatError("section '" + name + "' appears twice");
    for (const Section& o : all)
      if (s.offset < o.offset + o.size && o.offset < s.offset + s.size)
        throw FormatError("section '" + name + "' overlaps another section");
    *slot = s;
    all.push_back(s);
  }
  if (!meta.present) throw FormatError("missing META section");
  if (!graph.present) throw FormatError("missing GRAPH section");
  if (!weights.present) throw FormatError("missing WEIGHTS section");
  if (meta.size > kMaxMetadataBytes) throw FormatError("META section larger than 16 MiB");
  m.metadata_json.assign(reinterpret_cast<const char*>(data + meta.offset), meta.size);
  parse_graph(data, graph, weights, m);
  return m;
}

}  // namespace edgecnn
