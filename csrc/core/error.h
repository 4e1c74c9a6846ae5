// Error types of the core. The library reports every failure by throwing one of
// these; the Python binding maps each kind to a Python exception class.
#pragma once
#include <stdexcept>
#include <string>

namespace edgecnn {

// A model file or graph that is malformed: bad header, size, offset, attribute
// or shape. Maps to edgecnn.ModelFormatError.
class FormatError : public std::runtime_error {
 public:
  explicit FormatError(const std::string& what) : std::runtime_error(what) {}
};

// An operator (or an operator variant) the core cannot run.
// Maps to edgecnn.UnsupportedOpError.
class UnsupportedError : public std::runtime_error {
 public:
  explicit UnsupportedError(const std::string& what) : std::runtime_error(what) {}
};

// A bad argument at the API boundary (wrong input shape, bad option).
// Maps to ValueError.
class ArgumentError : public std::invalid_argument {
 public:
  explicit ArgumentError(const std::string& what) : std::invalid_argument(what) {}
};

}  // namespace edgecnn
