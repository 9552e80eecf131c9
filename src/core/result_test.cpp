// SPDX-License-Identifier: Apache-2.0
// Result<T> and the propagation macros.
#include "core/result.h"

#include <gtest/gtest.h>

#include <string>

namespace sealpost {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Error(ErrorCode::kInvalidArgument, "odd: " + std::to_string(x));
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x));
  return Ok();
}

TEST(ResultTest, ValuePropagatesThroughAssignOrReturn) {
  auto r = Quarter(8);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 2);
}

TEST(ResultTest, ErrorPropagatesWithCodeAndMessage) {
  auto r = Quarter(6);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "odd: 3");
}

TEST(ResultTest, StatusReturnIfError) {
  EXPECT_TRUE(CheckEven(4).has_value());
  auto st = CheckEven(5);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code(), ErrorCode::kInvalidArgument);
}

TEST(ResultTest, WithContextPrefixesMessage) {
  Error e = Error(ErrorCode::kIo, "disk full").WithContext("writing out.eml");
  EXPECT_EQ(e.message(), "writing out.eml: disk full");
}

}  // namespace
}  // namespace sealpost
