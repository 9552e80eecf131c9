// SPDX-License-Identifier: Apache-2.0
// Base64 decoding 32 characters at a time with AVX2, for the runs of whole groups inside
// each 76-character line (the scalar loop did ~1.6 GB/s, a third of decrypt's CPU).
#pragma once

namespace sealpost::mime::internal {

// True when this CPU has AVX2 (checked once).
bool HaveAvx2();

// Decodes blocks of 32 alphabet characters while at least 40 remain (the caller's room of 3
// bytes per 4 characters then covers the 28 bytes each block stores); stops before the
// first block holding anything else, leaving it to the scalar path. Only call if HaveAvx2().
void DecodeBase64BlocksAvx2(const unsigned char*& in, const unsigned char* end, char*& out);

}  // namespace sealpost::mime::internal
