#pragma once
// The disk spool: batches that do not fit the memory buffer while the database is down, one file
// per batch (spool_format.h), written atomically (temporary file, fsync, rename). Used by the
// writer thread only.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "manager/store/detail/batch.h"

namespace netpower::manager::store::detail {

// Sequence numbers of spool files stay at or below this, so that the next one never wraps.
inline constexpr std::uint64_t kMaxSpoolSeq = (std::uint64_t{1} << 63) - 1;

struct SpoolFile {
  std::uint64_t seq = 0;
  std::filesystem::path path;
  std::uint64_t bytes = 0;
  std::size_t rows = 0;
};

class Spool {
 public:
  // Creates the directory (mode 0700) when missing. Throws std::system_error when it cannot.
  Spool(std::filesystem::path dir, std::uint64_t max_bytes);

  // Batch files left by earlier runs, in seq order. Files whose header is damaged are renamed to
  // "<name>.corrupt" and counted in `corrupt`; temporary files of an interrupted write are removed.
  // A batch file whose number is no usable seq (not 20 digits, above kMaxSpoolSeq) is renamed to
  // the next seq after all the others and logged: replayed last, never ignored.
  std::vector<SpoolFile> scan(std::uint64_t& corrupt);
  // Writes `batch` as the file for its seq. Fails (nullopt, `error` set) when the bound would be
  // exceeded (unless `ignore_bound`) or the write fails.
  std::optional<SpoolFile> write(const Batch& batch, bool ignore_bound, std::string& error);
  // The batch of `file` (seq from the file name). On a damaged file: renamed to ".corrupt",
  // nullopt, `error` set. Throws std::system_error when the file cannot be read (disk trouble).
  std::optional<Batch> read(const SpoolFile& file, std::string& error);
  // After the batch is committed.
  void remove(const SpoolFile& file);
  // A batch the database refused (bad data, not an outage): kept in rejected/ for an operator.
  std::filesystem::path reject(const Batch& batch);

  const std::filesystem::path& dir() const { return dir_; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t max_bytes() const { return max_bytes_; }

 private:
  void quarantine(const std::filesystem::path& path);
  std::filesystem::path path_for(std::uint64_t seq) const;

  std::filesystem::path dir_;
  std::uint64_t max_bytes_;
  std::uint64_t bytes_ = 0;
};

}  // namespace netpower::manager::store::detail
