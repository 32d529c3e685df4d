// Scratch memory for kernels (packing buffers, private copies, partial results), served by the
// same block cache as output buffers (allocator.cc), so steady-state work maps no new pages.
#pragma once

#include <cstddef>

namespace mlx_cpu {

// Memory for scratch space inside kernels (packing buffers, partial results): the same cache,
// 64-byte aligned, without an ArrayBuffer. Blocks below the cache's threshold come from malloc.
void* scratch_alloc(size_t bytes);
void scratch_free(void* p, size_t bytes);

// An owned scratch block of `count` elements of T (uninitialized, 64-byte aligned).
template <class T>
class Scratch {
 public:
  Scratch() = default;
  explicit Scratch(size_t count) : bytes_(count * sizeof(T)), ptr_(static_cast<T*>(scratch_alloc(bytes_))) {}
  ~Scratch() { scratch_free(ptr_, bytes_); }
  Scratch(Scratch&& o) noexcept : bytes_(o.bytes_), ptr_(o.ptr_) { o.ptr_ = nullptr; }
  Scratch& operator=(Scratch&& o) noexcept {
    if (this != &o) {
      scratch_free(ptr_, bytes_);
      bytes_ = o.bytes_;
      ptr_ = o.ptr_;
      o.ptr_ = nullptr;
    }
    return *this;
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  T* get() const { return ptr_; }
  T& operator[](size_t i) const { return ptr_[i]; }

 private:
  size_t bytes_ = 0;
  T* ptr_ = nullptr;
};

}  // namespace mlx_cpu
