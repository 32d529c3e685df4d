// The built-in kernel library's source: every .metal file of kernels/ joined, with common.h inlined
// once at the top (a library compiled from source has no include path). metal_run and the addon
// compile it with newLibraryWithSource at start-up.
#pragma once

#include <dirent.h>

#include <algorithm>
#include <string>
#include <vector>

#include "request.h"

namespace mlx_metal {

/** Every .metal file of `dir`, with common.h inlined once at the top (a source library has no include path). */
inline std::string kernel_library_source(const std::string& dir) {
  const std::vector<char> common = read_file(dir + "/common.h");
  std::string src(common.begin(), common.end());
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > 6 && n.compare(n.size() - 6, 6, ".metal") == 0) names.push_back(n);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    const std::vector<char> text = read_file(dir + "/" + n);
    std::string s(text.begin(), text.end());
    const std::string inc = "#include \"common.h\"";
    const size_t at = s.find(inc);
    if (at != std::string::npos) s.erase(at, inc.size());
    src += "\n// ---- " + n + "\n" + s;
  }
  return src;
}

}  // namespace mlx_metal
