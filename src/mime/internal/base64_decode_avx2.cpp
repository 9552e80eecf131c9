// SPDX-License-Identifier: Apache-2.0
// The method is the one Muła and Lemire describe ("Faster Base64 Encoding and Decoding Using
// AVX2 Instructions", 2018), written here from the RFC 4648 alphabet: classify each byte by
// range, add the offset of its range, then pack four 6-bit values into three bytes with
// two multiply-adds and one byte shuffle.
#include "mime/internal/base64_decode_avx2.h"

#include <immintrin.h>

namespace sealpost::mime::internal {

bool HaveAvx2() {
  static const bool have = __builtin_cpu_supports("avx2");
  return have;
}

namespace {

// Bytes in [lo, hi] (all of the alphabet is below 0x80, so signed compares are exact;
// bytes >= 0x80 are negative and fall outside every range).
__attribute__((target("avx2"))) inline __m256i InRange(__m256i v, char lo, char hi) {
  return _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(static_cast<char>(lo - 1))),
                          _mm256_cmpgt_epi8(_mm256_set1_epi8(static_cast<char>(hi + 1)), v));
}

}  // namespace

__attribute__((target("avx2"))) void DecodeBase64BlocksAvx2(const unsigned char*& in, const unsigned char* end,
                                                            char*& out) {
  const unsigned char* p = in;
  char* o = out;
  // Per 128-bit lane: the three bytes of each 32-bit group, most significant first.
  const __m256i pack = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  while (end - p >= 40) {
    const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i upper = InRange(c, 'A', 'Z');
    const __m256i lower = InRange(c, 'a', 'z');
    const __m256i digit = InRange(c, '0', '9');
    const __m256i plus = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('+'));
    const __m256i slash = _mm256_cmpeq_epi8(c, _mm256_set1_epi8('/'));
    const __m256i valid =
        _mm256_or_si256(_mm256_or_si256(upper, lower), _mm256_or_si256(digit, _mm256_or_si256(plus, slash)));
    if (static_cast<unsigned>(_mm256_movemask_epi8(valid)) != 0xffffffffu) break;
    // 'A'..'Z' -> 0..25, 'a'..'z' -> 26..51, '0'..'9' -> 52..61, '+' -> 62, '/' -> 63.
    __m256i offset = _mm256_and_si256(upper, _mm256_set1_epi8(-65));
    offset = _mm256_or_si256(offset, _mm256_and_si256(lower, _mm256_set1_epi8(-71)));
    offset = _mm256_or_si256(offset, _mm256_and_si256(digit, _mm256_set1_epi8(4)));
    offset = _mm256_or_si256(offset, _mm256_and_si256(plus, _mm256_set1_epi8(19)));
    offset = _mm256_or_si256(offset, _mm256_and_si256(slash, _mm256_set1_epi8(16)));
    const __m256i values = _mm256_add_epi8(c, offset);
    // aaaaaa bbbbbb -> 12 bits per 16-bit lane; two of those -> 24 bits per 32-bit lane.
    const __m256i pairs = _mm256_maddubs_epi16(values, _mm256_set1_epi32(0x01400140));
    const __m256i groups = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x00011000));
    const __m256i bytes = _mm256_shuffle_epi8(groups, pack);
    // 12 bytes from each lane; the 4 bytes past them are overwritten by what follows (or lie
    // in the caller's room, which the 40-character condition guarantees).
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), _mm256_castsi256_si128(bytes));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o + 12), _mm256_extracti128_si256(bytes, 1));
    o += 24;
    p += 32;
  }
  in = p;
  out = o;
}

}  // namespace sealpost::mime::internal
