// The spool directory: atomic files named by seq, scan order, damaged files set aside, leftovers
// of interrupted writes removed, the size bound.

#include "manager/store/detail/spool.h"

#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace netpower::manager::store::detail {
namespace {

Batch batch(std::uint64_t seq, std::size_t samples) {
  Batch b;
  b.seq = seq;
  b.id = "w-" + std::to_string(seq);
  for (std::size_t i = 0; i < samples; ++i) {
    b.samples.push_back({"a", ObjectKind::kPort, "A1", "outlet.current",
                         WallTime{std::chrono::microseconds(i)}, double(i)});
  }
  return b;
}

TEST(Spool, WriteScanReadRemove) {
  testing::TempDir dir("np-spool");
  Spool spool(dir.file("spool"), 1 << 20);
  std::string error;
  ASSERT_TRUE(spool.write(batch(12, 3), false, error)) << error;
  ASSERT_TRUE(spool.write(batch(3, 5), false, error)) << error;
  const auto bytes = spool.bytes();
  EXPECT_GT(bytes, 0u);

  Spool again(dir.file("spool"), 1 << 20);  // a restart
  std::uint64_t corrupt = 0;
  auto files = again.scan(corrupt);
  EXPECT_EQ(corrupt, 0u);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].seq, 3u);
  EXPECT_EQ(files[0].rows, 5u);
  EXPECT_EQ(files[1].seq, 12u);
  EXPECT_EQ(again.bytes(), bytes);
  auto read = again.read(files[0], error);
  ASSERT_TRUE(read) << error;
  EXPECT_EQ(read->seq, 3u);
  EXPECT_EQ(read->id, "w-3");
  EXPECT_EQ(read->samples.size(), 5u);
  again.remove(files[0]);
  EXPECT_FALSE(std::filesystem::exists(files[0].path));
  EXPECT_LT(again.bytes(), bytes);
}

TEST(Spool, DamagedFilesAreSetAsideAndTemporaryFilesRemoved) {
  testing::TempDir dir("np-spool");
  Spool spool(dir.file("spool"), 1 << 20);
  std::string error;
  auto good = spool.write(batch(1, 2), false, error);
  auto truncated = spool.write(batch(2, 2), false, error);
  auto flipped = spool.write(batch(3, 2), false, error);
  ASSERT_TRUE(good && truncated && flipped);
  std::filesystem::resize_file(truncated->path, truncated->bytes - 1);
  {
    auto text = testing::read_file(flipped->path);
    text[text.size() - 1] ^= 0x20;  // payload damage: the header still looks fine
    std::ofstream(flipped->path, std::ios::binary | std::ios::trunc) << text;
  }
  std::ofstream(dir.file("spool") / "batch-00000000000000000009.npspool.tmp") << "half";
  std::ofstream(dir.file("spool") / "notes.txt") << "not ours";

  Spool again(dir.file("spool"), 1 << 20);
  std::uint64_t corrupt = 0;
  auto files = again.scan(corrupt);
  EXPECT_EQ(corrupt, 1u);  // the truncated one: its size disagrees with its header
  ASSERT_EQ(files.size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(truncated->path.string() + ".corrupt"));
  EXPECT_FALSE(
      std::filesystem::exists(dir.file("spool") / "batch-00000000000000000009.npspool.tmp"));
  EXPECT_TRUE(std::filesystem::exists(dir.file("spool") / "notes.txt"));

  EXPECT_TRUE(again.read(files[0], error));
  EXPECT_FALSE(again.read(files[1], error));  // checksum
  EXPECT_NE(error.find("checksum"), std::string::npos) << error;
  EXPECT_TRUE(std::filesystem::exists(flipped->path.string() + ".corrupt"));
}

TEST(Spool, BoundRefusesNewFilesUnlessIgnored) {
  testing::TempDir dir("np-spool");
  Spool spool(dir.file("spool"), 600);
  std::string error;
  ASSERT_TRUE(spool.write(batch(1, 10), false, error)) << error;  // ~520 bytes
  EXPECT_FALSE(spool.write(batch(2, 10), false, error));
  EXPECT_NE(error.find("spool full"), std::string::npos) << error;
  EXPECT_TRUE(spool.write(batch(2, 10), true, error)) << error;
}

// A batch file numbered beyond 2^64 (or past the bound, or not 20 digits) is not ignored: it is
// renamed to the next seq after the others and replayed last.
TEST(Spool, FilesWithUnusableNumbersAreRenumberedNotIgnored) {
  testing::TempDir dir("np-spool");
  const auto path = dir.file("spool");
  std::string error;
  {
    Spool spool(path, 1 << 20);
    ASSERT_TRUE(spool.write(batch(5, 1), false, error)) << error;
    for (const std::uint64_t seq : {1u, 2u, 3u}) {
      auto file = spool.write(batch(seq, 2), false, error);
      ASSERT_TRUE(file) << error;
      const char* names[] = {"", "batch-99999999999999999999.npspool",
                             "batch-18446744073709551615.npspool", "batch-7.npspool"};
      std::filesystem::rename(file->path, std::filesystem::path(path) / names[seq]);
    }
  }
  Spool again(path, 1 << 20);
  std::uint64_t corrupt = 0;
  auto files = again.scan(corrupt);
  EXPECT_EQ(corrupt, 0u);
  ASSERT_EQ(files.size(), 4u);
  std::vector<std::uint64_t> seqs;
  for (const auto& f : files) seqs.push_back(f.seq);
  EXPECT_EQ(seqs, (std::vector<std::uint64_t>{5, 6, 7, 8}));
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_TRUE(std::filesystem::exists(files[i].path)) << files[i].path;
    auto read = again.read(files[i], error);
    ASSERT_TRUE(read) << error;
    EXPECT_EQ(read->samples.size(), 2u);
    EXPECT_EQ(read->seq, files[i].seq);
  }
  EXPECT_FALSE(
      std::filesystem::exists(std::filesystem::path(path) / "batch-99999999999999999999.npspool"));
}

}  // namespace
}  // namespace netpower::manager::store::detail
