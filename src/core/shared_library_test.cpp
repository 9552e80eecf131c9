// SPDX-License-Identifier: Apache-2.0
#include "core/shared_library.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sealpost {
namespace {

TEST(SharedLibrary, BindsATypedFunctionFromALoadedLibrary) {
  auto libc = SharedLibrary::Open("libc.so.6");
  ASSERT_TRUE(libc) << libc.error().message();
  decltype(&::strlen) strlen_ptr = nullptr;
  ASSERT_TRUE(libc->Bind(strlen_ptr, "strlen"));
  EXPECT_EQ(strlen_ptr("sealpost"), 8u);
}

TEST(SharedLibrary, AMissingLibraryIsAnUnsupportedErrorNamingIt) {
  auto missing = SharedLibrary::Open("libsealpost-no-such-library.so.0");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), ErrorCode::kUnsupported);
  EXPECT_NE(missing.error().message().find("libsealpost-no-such-library.so.0"), std::string::npos);
  EXPECT_FALSE(missing.error().detail().empty());  // dlerror's text
}

TEST(SharedLibrary, AMissingSymbolIsAnErrorNotANullPointer) {
  auto libc = SharedLibrary::Open("libc.so.6");
  ASSERT_TRUE(libc);
  decltype(&::strlen) fn = nullptr;
  auto status = libc->Bind(fn, "sealpost_no_such_function");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code(), ErrorCode::kUnsupported);
  EXPECT_EQ(fn, nullptr);
}

}  // namespace
}  // namespace sealpost
