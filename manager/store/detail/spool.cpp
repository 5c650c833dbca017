#include "manager/store/detail/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <system_error>

#include <spdlog/spdlog.h>

#include "manager/store/detail/spool_format.h"

namespace netpower::manager::store::detail {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPrefix = "batch-";
constexpr const char* kSuffix = ".npspool";

// What a spool file's name says: not a batch file at all, a batch file with its seq, or a batch
// file whose number is no usable seq (not 20 digits, beyond kMaxSpoolSeq: damage, or a file put
// there by hand), which scan() renumbers rather than ignore.
struct SpoolName {
  bool batch = false;
  std::optional<std::uint64_t> seq;
};

SpoolName parse_name(const std::string& name) {
  const std::string prefix = kPrefix;
  const std::string suffix = kSuffix;
  if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return {};
  }
  const auto digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos) return {};
  SpoolName out{true, std::nullopt};
  if (digits.size() != 20) return out;
  std::uint64_t value = 0;
  for (const char c : digits) {
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (value > (kMaxSpoolSeq - d) / 10) return out;  // beyond the bound (or 2^64)
    value = value * 10 + d;
  }
  out.seq = value;
  return out;
}

void write_all(int fd, const std::string& data, const fs::path& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "write " + path.string());
    }
    done += static_cast<std::size_t>(n);
  }
}

// Temporary file, fsync, rename, fsync of the directory: the file is whole or absent.
void write_atomically(const fs::path& path, const std::string& data) {
  fs::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + tmp.string());
  try {
    write_all(fd, data, tmp);
    if (::fsync(fd) != 0)
      throw std::system_error(errno, std::generic_category(), "fsync " + tmp.string());
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::system_error(err, std::generic_category(), "rename to " + path.string());
  }
  int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::string read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Spool::Spool(fs::path dir, std::uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {
  fs::create_directories(dir_);
  ::chmod(dir_.c_str(), 0700);
}

fs::path Spool::path_for(std::uint64_t seq) const {
  char name[64];
  std::snprintf(name, sizeof name, "%s%020llu%s", kPrefix, static_cast<unsigned long long>(seq),
                kSuffix);
  return dir_ / name;
}

void Spool::quarantine(const fs::path& path) {
  fs::path target = path;
  target += ".corrupt";
  std::error_code ignored;
  fs::rename(path, target, ignored);
}

std::vector<SpoolFile> Spool::scan(std::uint64_t& corrupt) {
  std::vector<SpoolFile> files;
  std::vector<SpoolFile> renumber;  // seq 0 until given one after all the others
  bytes_ = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (!entry.is_regular_file()) continue;
    const auto name = entry.path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0) {
      fs::remove(entry.path());  // an interrupted write: the batch is still in another form
      continue;
    }
    const auto parsed_name = parse_name(name);
    if (!parsed_name.batch) continue;
    std::string head(kSpoolHeaderSize, '\0');
    std::ifstream in(entry.path(), std::ios::binary);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    auto parsed = parse_spool_header(head);
    const auto size = entry.file_size();
    if (parsed.status != SpoolParse::Status::kOk ||
        size != kSpoolHeaderSize + parsed.header.payload_length) {
      quarantine(entry.path());
      ++corrupt;
      continue;
    }
    SpoolFile file{parsed_name.seq.value_or(0), entry.path(), size,
                   std::size_t{parsed.header.samples} + parsed.header.events};
    bytes_ += size;
    (parsed_name.seq ? files : renumber).push_back(std::move(file));
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
  std::sort(renumber.begin(), renumber.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  std::uint64_t next = files.empty() ? 1 : files.back().seq + 1;
  for (auto& file : renumber) {
    const auto target = path_for(next);
    std::error_code ec;
    fs::rename(file.path, target, ec);
    if (ec) {
      spdlog::error(
          "store: spool file {} has no usable sequence number and cannot be renamed to {}: "
          "{}; it stays where it is and is not replayed",
          file.path.string(), target.string(), ec.message());
      bytes_ -= std::min(bytes_, file.bytes);
      continue;
    }
    spdlog::warn(
        "store: spool file {} has no usable sequence number (20 digits, at most {}); "
        "renamed to {} and replayed after the others",
        file.path.filename().string(), kMaxSpoolSeq, target.filename().string());
    file.path = target;
    file.seq = next++;
    files.push_back(std::move(file));
  }
  return files;
}

std::optional<SpoolFile> Spool::write(const Batch& batch, bool ignore_bound, std::string& error) {
  auto data = encode_spool(batch);
  if (!ignore_bound && bytes_ + data.size() > max_bytes_) {
    error =
        "spool full (" + std::to_string(bytes_) + " of " + std::to_string(max_bytes_) + " bytes)";
    return std::nullopt;
  }
  SpoolFile file{batch.seq, path_for(batch.seq), data.size(), batch.rows()};
  try {
    write_atomically(file.path, data);
  } catch (const std::system_error& e) {
    error = e.what();
    return std::nullopt;
  }
  bytes_ += file.bytes;
  return file;
}

std::optional<Batch> Spool::read(const SpoolFile& file, std::string& error) {
  auto data = read_whole(file.path);
  auto parsed = parse_spool(data);
  if (parsed.status != SpoolParse::Status::kOk) {
    error = file.path.string() + ": " + parsed.error;
    quarantine(file.path);
    bytes_ -= std::min(bytes_, file.bytes);
    return std::nullopt;
  }
  parsed.batch.seq = file.seq;
  return std::move(parsed.batch);
}

void Spool::remove(const SpoolFile& file) {
  std::error_code ignored;
  fs::remove(file.path, ignored);
  bytes_ -= std::min(bytes_, file.bytes);
}

fs::path Spool::reject(const Batch& batch) {
  auto dir = dir_ / "rejected";
  fs::create_directories(dir);
  auto path = dir / path_for(batch.seq).filename();
  write_atomically(path, encode_spool(batch));
  return path;
}

}  // namespace netpower::manager::store::detail
