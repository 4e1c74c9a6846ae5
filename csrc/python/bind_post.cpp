// pybind11 glue for post-processing. No logic.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

namespace py = pybind11;

void bind_post(py::module_& m) {}
