// SPDX-License-Identifier: Apache-2.0
// Result<T>: a value or an Error. Member names follow std::expected so that it can become
// an alias once we move to C++23 (libstdc++ 12 has <expected> only in C++23 mode).
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "core/error.h"

namespace sealpost {

template <typename T>
class [[nodiscard]] Result final {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return state_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { assert(has_value()); return std::get<0>(state_); }
  const T& value() const& { assert(has_value()); return std::get<0>(state_); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!has_value()); return std::get<1>(state_); }
  Error&& error() && { assert(!has_value()); return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> final {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { assert(!ok_); return error_; }
  Error&& error() && { assert(!ok_); return std::move(error_); }

 private:
  Error error_{ErrorCode::kInternal, ""};
  bool ok_ = true;
};

using Status = Result<void>;
inline Status Ok() { return Status(); }

}  // namespace sealpost

#define SEALPOST_CONCAT_INNER_(a, b) a##b
#define SEALPOST_CONCAT_(a, b) SEALPOST_CONCAT_INNER_(a, b)

// Returns the error of `expr` (a Result or Status) from the enclosing function.
#define RETURN_IF_ERROR(expr)                                  \
  do {                                                         \
    auto sealpost_status_ = (expr);                            \
    if (!sealpost_status_) return std::move(sealpost_status_).error(); \
  } while (0)

// Declares/assigns `lhs` from the value of `expr`, or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(SEALPOST_CONCAT_(sealpost_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp) return std::move(tmp).error();     \
  lhs = std::move(tmp).value()
