#include "runtime/buffer_pool.h"

#include <new>

namespace ptqc {

namespace {
constexpr size_t kAlignment = 64;

std::byte* aligned_new(size_t bytes) {
  return static_cast<std::byte*>(::operator new(bytes, std::align_val_t(kAlignment)));
}
void aligned_delete(std::byte* p) { ::operator delete(p, std::align_val_t(kAlignment)); }
}  // namespace

struct BufferPool::State {
  std::mutex mutex;
  std::multimap<size_t, std::byte*> idle;  // capacity -> buffer
  size_t idle_bytes = 0;
  bool closed = false;

  ~State() {
    for (auto& [cap, p] : idle) aligned_delete(p);
  }
};

BufferPool::BufferPool() : state_(std::make_shared<State>()) {}

BufferPool::~BufferPool() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->closed = true;  // buffers released later are freed, not pooled
}

std::shared_ptr<std::byte> BufferPool::allocate(size_t bytes) {
  // Capacity rounded to the alignment, plus one line of slack for vector tails.
  const size_t wanted = (bytes + kAlignment - 1) / kAlignment * kAlignment + kAlignment;
  std::byte* buffer = nullptr;
  size_t capacity = wanted;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    auto it = state_->idle.lower_bound(wanted);
    if (it != state_->idle.end() && it->first <= 2 * wanted) {
      capacity = it->first;
      buffer = it->second;
      state_->idle_bytes -= capacity;
      state_->idle.erase(it);
    }
  }
  if (!buffer) buffer = aligned_new(capacity);
  std::shared_ptr<State> state = state_;
  return std::shared_ptr<std::byte>(buffer, [state, capacity](std::byte* p) {
    std::lock_guard<std::mutex> lock(state->mutex);
    if (state->closed) {
      aligned_delete(p);
      return;
    }
    state->idle.emplace(capacity, p);
    state->idle_bytes += capacity;
  });
}

size_t BufferPool::idle_bytes() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->idle_bytes;
}

}  // namespace ptqc
