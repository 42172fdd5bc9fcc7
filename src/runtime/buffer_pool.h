#pragma once
/// \file
/// A recycling allocator for activation buffers. A released buffer goes back to
/// the pool and serves the next request whose size fits (best fit, at most 2x
/// the request), so after the first inference of a given input shape the
/// executor's loop allocates nothing.

#include <map>
#include <memory>
#include <mutex>

#include "ptqc/tensor.h"

namespace ptqc {

class BufferPool final : public BufferAllocator {
 public:
  BufferPool();
  ~BufferPool() override;
  std::shared_ptr<std::byte> allocate(size_t bytes) override;
  /// Bytes currently held by idle buffers.
  size_t idle_bytes() const;

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the deleters of buffers still in use
};

}  // namespace ptqc
