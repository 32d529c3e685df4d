// One step as a text request, read by the shim's harness (Linux, CPU grid) and by metal_run (a Mac,
// the GPU), so the Mac selftest can give both the same step and compare their bytes.
//   prim NAME
//   out DTYPE NDIM DIMS...
//   params COUNT VALUES...
//   in DTYPE PATH OFFSET NDIM DIMS... STRIDES...      (once per input; the file holds the whole buffer)
//   result PATH                                        (the contiguous output is written there)
#pragma once

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "plan.h"

namespace mlx_metal {

struct Request {
  StepDesc step;
  std::vector<std::vector<char>> buffers;
  std::string result;
};

inline std::vector<char> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  return std::vector<char>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline std::vector<int64_t> read_ints(std::istringstream& in, int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n));
  for (auto& x : v) in >> x;
  return v;
}

/** Parses a request; on a malformed one prints why on stderr and returns false. */
inline bool read_request(std::istream& input, Request& req) {
  std::string line;
  try {
    while (std::getline(input, line)) {
      std::istringstream in(line);
      std::string key;
      in >> key;
      if (key == "prim") {
        in >> req.step.prim;
      } else if (key == "out") {
        int64_t nd;
        in >> req.step.out_dtype >> nd;
        req.step.out_shape = read_ints(in, nd);
      } else if (key == "params") {
        int64_t n;
        in >> n;
        req.step.params = read_ints(in, n);
      } else if (key == "in") {
        ViewDesc v;
        std::string path;
        int64_t nd;
        in >> v.dtype >> path >> v.offset >> nd;
        v.shape = read_ints(in, nd);
        v.strides = read_ints(in, nd);
        req.step.inputs.push_back(v);
        req.buffers.push_back(read_file(path));
      } else if (key == "result") {
        in >> req.result;
      } else if (!key.empty()) {
        std::cerr << "request: unknown line '" << line << "'\n";
        return false;
      }
      if (in.fail()) {
        std::cerr << "request: malformed line '" << line << "'\n";
        return false;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "request: " << e.what() << "\n";
    return false;
  }
  return true;
}

}  // namespace mlx_metal
