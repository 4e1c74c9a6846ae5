// pybind11 glue for the dense post-processing (classification top-k,
// segmentation maps, instance masks, RLE). No logic.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

namespace py = pybind11;

void bind_masks(py::module_& m) {}
