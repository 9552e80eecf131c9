// SPDX-License-Identifier: Apache-2.0
// RAII for GMime/GLib objects. Adopt for "transfer full" returns, Retain for "transfer none".
#pragma once

#include "mime/internal/gmime_api.h"

#include <string_view>
#include <utility>

namespace sealpost::mime::internal {

template <typename T>
class GObjectPtr final {
 public:
  GObjectPtr() = default;
  static GObjectPtr Adopt(T* p) { return GObjectPtr(p); }
  static GObjectPtr Retain(T* p) {
    if (p) (GMime().g_object_ref)(p);  // parenthesised: GLib defines g_object_ref as a macro
    return GObjectPtr(p);
  }
  ~GObjectPtr() { if (p_) GMime().g_object_unref(p_); }
  GObjectPtr(const GObjectPtr&) = delete;
  GObjectPtr& operator=(const GObjectPtr&) = delete;
  GObjectPtr(GObjectPtr&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  GObjectPtr& operator=(GObjectPtr&& o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  T* get() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  explicit GObjectPtr(T* p) : p_(p) {}
  T* p_ = nullptr;
};

// Loads and initialises GMime once per process (thread-safe).
void EnsureGMime();

// A read-only GMime stream over `bytes` (copied: GMime streams own their memory).
GObjectPtr<GMimeStream> MemoryStream(std::string_view bytes);

}  // namespace sealpost::mime::internal
