// What reductions and scans accumulate in and the identities of their combining functions
// (fn::Add, fn::Multiply, fn::Maximum, fn::Minimum from functors.h).
#pragma once

#include <limits>
#include <type_traits>

#include "arith.h"
#include "dtype.h"

namespace mlx_cpu {

// Float sums and products accumulate in float64 and round once; integer ones wrap in uint64,
// which agrees with wrapping in the narrower type after truncation.
template <class T>
using accumulate_t = std::conditional_t<is_float_v<T>, double, uint64_t>;

// The identities of max and min: -inf/+inf for floats, the dtype's limits otherwise.
template <class T>
value_t<T> lowest() {
  if constexpr (std::is_same_v<T, bool_t>)
    return 0;
  else if constexpr (is_float_v<T>)
    return -std::numeric_limits<value_t<T>>::infinity();
  else
    return std::numeric_limits<T>::lowest();
}

template <class T>
value_t<T> highest() {
  if constexpr (std::is_same_v<T, bool_t>)
    return 1;
  else if constexpr (is_float_v<T>)
    return std::numeric_limits<value_t<T>>::infinity();
  else
    return std::numeric_limits<T>::max();
}

}  // namespace mlx_cpu
