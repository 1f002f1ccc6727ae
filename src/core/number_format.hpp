#pragma once
// Number → text into checked buffers (std::to_chars): a value whose text does
// not fit a buffer is handled, never read past. snprintf's return value is
// the length it WOULD have written, so trusting it over-reads the stack for a
// value like 1e300 in "%.3f".
#include <cstdint>
#include <string>

namespace sentinel::core {

// `v` with exactly `decimals` digits after the point ("1.500"); NaN and
// infinities are spelt "NaN", "+Inf", "-Inf" (Prometheus's spelling). Never
// fails: a value too long for fixed notation (only with absurd `decimals`)
// falls back to the shortest round-trip form.
std::string format_fixed(double v, int decimals);

// The shortest text that reads back as `v` ("0.1", "1e+300"); NaN and
// infinities as in format_fixed.
std::string format_shortest(double v);

// `v` as 16 lower-case hex digits, zero-padded.
std::string format_hex64(std::uint64_t v);

}  // namespace sentinel::core
