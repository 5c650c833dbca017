#include "tests/support/temp_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

namespace netpower::testing {
namespace {

// Longest base directory we accept from $TMPDIR: leaves ~60 bytes for "/np-XXXXXX/<socket name>".
constexpr std::size_t kMaxBaseLength = 40;

std::filesystem::path base_directory() {
  const char* tmpdir = std::getenv("TMPDIR");
  if (tmpdir != nullptr && tmpdir[0] == '/' && std::strlen(tmpdir) <= kMaxBaseLength) {
    return tmpdir;
  }
  return "/tmp";
}

bool keep_requested() {
  const char* keep = std::getenv("NETPOWER_KEEP_TEST_DIRS");
  return keep != nullptr && std::string(keep) == "1";
}

}  // namespace

TempDir::TempDir(std::string_view prefix) {
  std::string pattern = (base_directory() / std::string(prefix)).string() + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  path_ = buffer.data();
}

TempDir::~TempDir() {
  if (keep_requested()) {
    std::cerr << "[netpower::testing] kept test directory " << path_.string() << '\n';
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace netpower::testing
