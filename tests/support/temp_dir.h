// A private scratch directory for one test: config files, logs, Unix sockets, persistent state.
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

namespace netpower::testing {

// Creates a fresh directory with mkdtemp(3), mode 0700, and removes it recursively on destruction.
//
// The directory lives under $TMPDIR when that path is short, else under /tmp: it must leave room
// for Unix socket paths inside it (sun_path holds 107 bytes plus NUL), so the full path stays under
// ~40 bytes. With NETPOWER_KEEP_TEST_DIRS=1 in the environment the directory is kept and its path
// printed to stderr, for post-mortem inspection of logs and generated configs.
class TempDir {
 public:
  // `prefix` names the directory (`<base>/<prefix>-XXXXXX`); keep it short. Throws
  // std::system_error.
  explicit TempDir(std::string_view prefix = "np");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name; does not create anything.
  std::filesystem::path file(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

using TempDirPtr = std::unique_ptr<TempDir>;

}  // namespace netpower::testing
