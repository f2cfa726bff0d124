#pragma once
// The inner product of two float vectors, the similarity of the embeddings (they are unit length): with AVX2 and
// FMA when the CPU has them (chosen at run time, so the binary still runs on any x86-64), else a portable loop.

#include <cstddef>
#include <cstdint>

namespace parley::knowledge {

using DotFunction = float (*)(const float* a, const float* b, size_t n);

// The two implementations: DotAvx2 only where DotUsesAvx2() is true.
__attribute__((target("avx2,fma"))) float DotAvx2(const float* a, const float* b, size_t n);
float DotPortable(const float* a, const float* b, size_t n);

// The fastest implementation this CPU runs.
DotFunction BestDot();

// True when BestDot() uses AVX2 and FMA.
bool DotUsesAvx2();

inline float Dot(const float* a, const float* b, size_t n) { return BestDot()(a, b, n); }

// The inner product of two int8 vectors (the HNSW graph's quantized copies of the embeddings), exact in int32.
using DotI8Function = int32_t (*)(const int8_t* a, const int8_t* b, size_t n);
__attribute__((target("avx2"))) int32_t DotI8Avx2(const int8_t* a, const int8_t* b, size_t n);
int32_t DotI8Portable(const int8_t* a, const int8_t* b, size_t n);
DotI8Function BestDotI8();

}  // namespace parley::knowledge
