// Kernel entry points, one per family; each validates the shapes its contract demands before it
// touches memory.
#pragma once

#include "program.h"

namespace mlx_cpu {

void unary(const Step& s);
void binary(const Step& s);
void where(const Step& s);
void astype(const Step& s);
// Reinterprets the input's bytes as the output's dtype (convert.cc).
void view(const Step& s);
void reduce(const Step& s);
void arg_reduce(const Step& s);
void scan(const Step& s);
void sort(const Step& s);
void softmax(const Step& s);
void concatenate(const Step& s);
void pad(const Step& s);
void gather(const Step& s);
void gather_axis(const Step& s);
void scatter(const Step& s);
void scatter_axis(const Step& s);
void matmul(const Step& s);
void arange(const Step& s);
void random_bits(const Step& s);
void compiled(const Step& s);
void divmod(const Step& s);
void topk(const Step& s);
// allReduce, allGather, send, recv over MPI (distributed.cc).
void distributed(const Step& s);
void convolution(const Step& s);
void quantized_matmul(const Step& s);
void fast_norm(const Step& s);
void rope(const Step& s);
void scaled_dot_product_attention(const Step& s);
// mx.linalg through the run-time LAPACK (linalg.cc, lapack.h).
void linalg(const Step& s);
// Every step with a complex64 operand, and imag, conjugate, fft (complex.cc, fft.cc).
bool has_complex(const Step& s);
void complex_step(const Step& s);
void fft(const Step& s);
// linalg.eig and linalg.eigvals through LAPACK's ?geev (eig.cc); their outputs are complex64.
void eig(const Step& s);

// Runs one step with the kernel of its primitive.
void run_step(const Step& s);

}  // namespace mlx_cpu
