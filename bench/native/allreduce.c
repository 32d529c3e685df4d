/* The MPI_Allreduce baseline of bench/distributed.mjs: float32 sums of 1 KB .. 256 MB between the
 * processes of MPI_COMM_WORLD, each size timed over `iters` calls after a warm-up, with separate
 * send and receive buffers (as mx.distributed.allSum of a contiguous array). Prints one line per
 * size: `bytes seconds_per_call`. Build: mpicc -O2 allreduce.c -o allreduce. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

/* Warm-up calls per size before timing (nccl-tests' default, -w 5), in the mlx-ts worker too. */
#define WARMUP 5

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  for (long bytes = 1024; bytes <= 256L << 20; bytes *= 4) {
    long n = bytes / 4;
    float* in = malloc(bytes);
    float* out = malloc(bytes);
    for (long i = 0; i < n; i++) in[i] = 1.0f;
    int iters = (int)(((64L << 20) / bytes) > 200 ? 200 : ((64L << 20) / bytes));
    if (iters < 10) iters = 10;
    for (int w = 0; w < WARMUP; w++) MPI_Allreduce(in, out, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    for (int i = 0; i < iters; i++) MPI_Allreduce(in, out, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    double t = (MPI_Wtime() - t0) / iters;
    if (rank == 0) printf("%ld %.9f\n", bytes, t);
    free(in);
    free(out);
  }
  MPI_Finalize();
  return 0;
}
