// arange: element i is start + i * step computed in float64, then cast to the output dtype.
#include "kernels.h"
#include "parallel.h"
#include "strided.h"

namespace mlx_cpu {

void arange(const Step& s) {
  s.expect_inputs(0);
  s.expect_params(2);
  if (s.out.ndim != 1) throw Error("the output must be one-dimensional");
  const double start = s.float_param(0), step = s.float_param(1);
  dispatch_all(s.out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* y = s.out.at<T>();
    parallel_for(s.out.size, kElementwiseGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) y[i] = to<T>(start + double(i) * step);
    });
  });
}

}  // namespace mlx_cpu
