// SPDX-License-Identifier: Apache-2.0
#include "mime/line_scan.h"

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "mime/internal/base64_decode_avx2.h"  // HaveAvx2

namespace sealpost::mime {
namespace {

const char* NextLf(const char* p, const char* end) {
  return static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
}

__attribute__((target("avx2"))) inline uint32_t MaskOf(__m256i v, char c) {
  return static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(c))));
}

__attribute__((target("avx2"))) inline __m256i Load(const char* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// The bare LFs of a 32-byte block; `carry` (bit 0: the block before ended in a CR) becomes
// the same for the next block.
__attribute__((target("avx2"))) inline uint32_t BareLfMask(__m256i v, uint32_t& carry) {
  const uint32_t cr = MaskOf(v, '\r');
  const uint32_t bare = MaskOf(v, '\n') & ~((cr << 1) | carry);
  carry = cr >> 31;
  return bare;
}

__attribute__((target("avx2"))) size_t FindBareLfAvx2(const char* p, size_t n, bool cr_before) {
  uint32_t carry = cr_before ? 1 : 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const uint32_t bare = BareLfMask(Load(p + i), carry);
    if (bare != 0) return i + static_cast<size_t>(__builtin_ctz(bare));
  }
  const size_t rest = FindBareLfPortable(p + i, n - i, carry != 0);
  return i + rest;
}

__attribute__((target("avx2"))) size_t CopyWithCrlfAvx2(const char* p, size_t n, bool cr_before, char* out) {
  uint32_t carry = cr_before ? 1 : 0;
  size_t i = 0;
  char* o = out;
  for (; i + 32 <= n; i += 32) {
    const __m256i v = Load(p + i);
    uint32_t bare = BareLfMask(v, carry);
    if (bare == 0) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(o), v);
      o += 32;
      continue;
    }
    size_t from = 0;
    for (; bare != 0; bare &= bare - 1) {
      const size_t at = static_cast<size_t>(__builtin_ctz(bare));
      std::memcpy(o, p + i + from, at - from);
      o += at - from;
      *o++ = '\r';
      from = at;  // the LF itself goes with the next run
    }
    std::memcpy(o, p + i + from, 32 - from);
    o += 32 - from;
  }
  o += CopyWithCrlfPortable(p + i, n - i, carry != 0, o);
  return static_cast<size_t>(o - out);
}

__attribute__((target("avx2"))) size_t FindOverlongLineAvx2(const char* p, size_t n, size_t& open_line,
                                                            size_t max_line) {
  size_t line_start = 0;  // offset of the open line's first octet in this block
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (uint32_t lf = MaskOf(Load(p + i), '\n'); lf != 0; lf &= lf - 1) {
      const size_t at = i + static_cast<size_t>(__builtin_ctz(lf));
      if (open_line + (at - line_start) > max_line) return at;
      open_line = 0;
      line_start = at + 1;
    }
  }
  open_line += i - line_start;  // the line still open after the blocks walked
  const size_t rest = FindOverlongLinePortable(p + i, n - i, open_line, max_line);
  return i + rest;
}

}  // namespace

size_t FindBareLfPortable(const char* p, size_t n, bool cr_before) {
  const char* const end = p + n;
  for (const char* lf = NextLf(p, end); lf; lf = NextLf(lf + 1, end)) {
    const bool cr = lf == p ? cr_before : lf[-1] == '\r';
    if (!cr) return static_cast<size_t>(lf - p);
  }
  return n;
}

size_t CopyWithCrlfPortable(const char* p, size_t n, bool cr_before, char* out) {
  char* o = out;
  size_t done = 0;
  while (done < n) {
    const size_t run = FindBareLfPortable(p + done, n - done, cr_before);
    std::memcpy(o, p + done, run);
    o += run;
    done += run;
    if (done == n) break;
    *o++ = '\r';
    *o++ = '\n';
    ++done;
    cr_before = false;
  }
  return static_cast<size_t>(o - out);
}

size_t FindOverlongLinePortable(const char* p, size_t n, size_t& open_line, size_t max_line) {
  const char* const end = p + n;
  const char* line = p;
  for (const char* lf = NextLf(p, end); lf; lf = NextLf(lf + 1, end)) {
    if (open_line + static_cast<size_t>(lf - line) > max_line) return static_cast<size_t>(lf - p);
    open_line = 0;
    line = lf + 1;
  }
  open_line += static_cast<size_t>(end - line);
  return n;
}

size_t FindBareLf(const char* p, size_t n, bool cr_before) {
  return internal::HaveAvx2() ? FindBareLfAvx2(p, n, cr_before) : FindBareLfPortable(p, n, cr_before);
}

size_t CopyWithCrlf(const char* p, size_t n, bool cr_before, char* out) {
  return internal::HaveAvx2() ? CopyWithCrlfAvx2(p, n, cr_before, out) : CopyWithCrlfPortable(p, n, cr_before, out);
}

size_t FindOverlongLine(const char* p, size_t n, size_t& open_line, size_t max_line) {
  return internal::HaveAvx2() ? FindOverlongLineAvx2(p, n, open_line, max_line)
                    : FindOverlongLinePortable(p, n, open_line, max_line);
}

}  // namespace sealpost::mime
