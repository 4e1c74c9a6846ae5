#include <algorithm>

#include "ops/op.h"

namespace edgecnn {

#define EDGECNN_OP(type, cls) std::unique_ptr<Op> make_##cls();
#include "ops/ops.inc"
#undef EDGECNN_OP

std::unique_ptr<Op> create_op(const std::string& op_type) {
#define EDGECNN_OP(type, cls) \
  if (op_type == #type) return make_##cls();
#include "ops/ops.inc"
#undef EDGECNN_OP
  return nullptr;
}

std::vector<std::string> supported_ops() {
  std::vector<std::string> ops = {
#define EDGECNN_OP(type, cls) #type,
#include "ops/ops.inc"
#undef EDGECNN_OP
  };
  std::sort(ops.begin(), ops.end());
  return ops;
}

int normalize_axis(int64_t axis, int64_t rank, const char* what) {
  if (axis < -rank || axis >= rank)
    throw FormatError(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " +
                      std::to_string(rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace edgecnn
