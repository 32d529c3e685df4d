// mx.distributed over MPI: the system's MPI library is loaded at run time with dlopen (as MLX does),
// so the addon builds without MPI headers and loads without MPI. Only Open MPI's ABI is spoken:
// its handles (MPI_Comm, MPI_Datatype, MPI_Op) are pointers to the library's predefined global
// objects (ompi_mpi_comm_world, ompi_mpi_float, ompi_mpi_op_sum, ...), resolved with dlsym.
//
// Every MPI call runs on one communication thread (the one that initialised MPI, so
// MPI_THREAD_FUNNELED suffices whichever thread evaluates a graph: the main thread or libuv's
// pool under asyncEval). A kernel hands its collective to that thread and waits for it at most
// the timeout (MLX_TS_DISTRIBUTED_TIMEOUT seconds, default 120, 0 waits forever), so a peer that
// failed or stopped gives an Error naming the collective instead of a hang. After a timeout the
// abandoned call may still be inside MPI: every later collective fails at once, saying so.
//
// Environment, read on first use: MLX_TS_MPI=/path/to/libmpi.so loads that library instead of
// searching; MLX_TS_MPI=0 turns MPI off.
#pragma once

#include <napi.h>

#include <string>

namespace mlx_cpu {

// The addon's distributed exports: distributedInfo, distributedInit, distributedSplit.
void add_distributed_exports(Napi::Env env, Napi::Object exports);

}  // namespace mlx_cpu
