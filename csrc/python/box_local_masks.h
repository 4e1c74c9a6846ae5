// Glue shared by the binding files: reading the box-local instance masks that
// Python passes as (list of 2-D bool arrays, (N, 2) int origins) into the
// core's MaskRegion form (post/masks.h), with argument checks naming `who`.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "post/masks.h"

namespace edgecnn {
namespace binding {

namespace py = pybind11;
using BoolArray = py::array_t<bool, py::array::c_style | py::array::forcecast>;
using Int64Array = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

inline std::string shape_of(const py::array& a) { return py::str(a.attr("shape")); }

// Marks a result array the binding owns read-only (take its mutable_data()
// pointer first), so the Python result types keep it without a copy.
inline void set_read_only(const py::array& a) { a.attr("flags").attr("writeable") = false; }

// Regions of `masks` placed at `origins`; `pointers` receives the mask buffers.
inline std::vector<MaskRegion> box_local_regions(const std::vector<BoolArray>& masks, const Int64Array& origins,
                                                 std::vector<const uint8_t*>& pointers, const std::string& who) {
  const auto n = static_cast<py::ssize_t>(masks.size());
  if (origins.ndim() != 2 || origins.shape(0) != n || origins.shape(1) != 2)
    throw ArgumentError(who + ": origins must be (" + std::to_string(n) + ", 2) for " + std::to_string(n) +
                        " masks, got shape " + shape_of(origins));
  std::vector<MaskRegion> regions(masks.size());
  auto o = origins.unchecked<2>();
  for (py::ssize_t i = 0; i < n; ++i) {
    const BoolArray& m = masks[i];
    if (m.ndim() != 2)
      throw ArgumentError(who + ": mask " + std::to_string(i) + " must be 2-D, got shape " + shape_of(m));
    regions[i] = {o(i, 0), o(i, 1), m.shape(1), m.shape(0)};
    pointers.push_back(reinterpret_cast<const uint8_t*>(m.data()));
  }
  return regions;
}

}  // namespace binding
}  // namespace edgecnn
