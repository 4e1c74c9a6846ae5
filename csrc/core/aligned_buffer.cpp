#include "core/aligned_buffer.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#if defined(_WIN32)
#include <malloc.h>
#endif

namespace edgecnn {

AlignedBuffer::AlignedBuffer(size_t bytes) : size_(bytes) {
  if (bytes == 0) return;
  const size_t padded = round_up(bytes, kAlignment);
#if defined(_WIN32)
  data_ = static_cast<uint8_t*>(_aligned_malloc(padded, kAlignment));
#else
  void* p = nullptr;
  if (posix_memalign(&p, kAlignment, padded) != 0) p = nullptr;
  data_ = static_cast<uint8_t*>(p);
#endif
  if (data_ == nullptr) throw std::bad_alloc();
  std::memset(data_, 0, padded);
}

AlignedBuffer::~AlignedBuffer() {
#if defined(_WIN32)
  _aligned_free(data_);
#else
  std::free(data_);
#endif
}

AlignedBuffer::AlignedBuffer(AlignedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& other) noexcept {
  if (this != &other) {
    AlignedBuffer old(std::move(*this));
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

}  // namespace edgecnn
