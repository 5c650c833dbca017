// The spool file format: round trip, and every truncation and every flipped byte of a real file
// rejected without crashing (the same inputs a fuzzer would try first).

#include "manager/store/detail/spool_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace netpower::manager::store::detail {
namespace {

using Status = SpoolParse::Status;

Batch sample_batch() {
  Batch b;
  b.id = "0123456789abcdef-42";
  b.seq = 42;
  const WallTime t{std::chrono::microseconds(1'700'000'000'123'456)};
  b.samples.push_back({"rack1-pdu", ObjectKind::kPort, "A1", "outlet.current", t, 1.25});
  b.samples.push_back({"rack1-pdu", ObjectKind::kBoard, "C", "ambient.temperature", t, -3.5});
  b.samples.push_back({"ups-a", ObjectKind::kUps, "", "battery.charge", t,
                       std::numeric_limits<double>::infinity()});
  b.samples.push_back({"ups-a", ObjectKind::kAgent, "", "poll.duration", WallTime{}, 0.0});
  b.events.push_back({"rack1-pdu", t, EventKind::kTrap, "1.3.6.1.4.1.1718.2.100.0.5",
                      R"([{"oid":"1.3.6.1.4.1.1718.2.1.1.0","type":"STRING","value":"tab\there"}])",
                      "port A1 control status changed"});
  b.events.push_back({"ups-a", t, EventKind::kDown, "", "{}", "no answer\nafter 3 retries"});
  return b;
}

TEST(SpoolFormat, RoundTrip) {
  const auto batch = sample_batch();
  const auto bytes = encode_spool(batch);
  auto parsed = parse_spool(bytes);
  ASSERT_EQ(parsed.status, Status::kOk) << parsed.error;
  EXPECT_EQ(parsed.batch.id, batch.id);
  EXPECT_EQ(parsed.batch.samples, batch.samples);
  EXPECT_EQ(parsed.batch.events, batch.events);
  EXPECT_EQ(parsed.header.samples, 4u);
  EXPECT_EQ(parsed.header.events, 2u);
  EXPECT_EQ(bytes.size(), kSpoolHeaderSize + parsed.header.payload_length);

  auto header = parse_spool_header(std::string_view(bytes).substr(0, kSpoolHeaderSize));
  ASSERT_EQ(header.status, Status::kOk);
  EXPECT_EQ(header.header.samples, 4u);
}

TEST(SpoolFormat, NanSurvivesAsBits) {
  Batch b;
  b.id = "x-1";
  b.samples.push_back({"a", ObjectKind::kPort, "A1", "m", WallTime{}, std::nan("")});
  auto parsed = parse_spool(encode_spool(b));
  ASSERT_EQ(parsed.status, Status::kOk);
  EXPECT_TRUE(std::isnan(parsed.batch.samples[0].value));
}

TEST(SpoolFormat, EmptyBatchIsValid) {
  Batch b;
  b.id = "x-1";
  auto parsed = parse_spool(encode_spool(b));
  ASSERT_EQ(parsed.status, Status::kOk) << parsed.error;
  EXPECT_TRUE(parsed.batch.samples.empty());
}

TEST(SpoolFormat, EveryTruncationIsRejected) {
  const auto bytes = encode_spool(sample_batch());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto parsed = parse_spool(std::string_view(bytes).substr(0, n));
    EXPECT_EQ(parsed.status, Status::kTruncated) << "length " << n << ": " << parsed.error;
  }
}

TEST(SpoolFormat, EveryFlippedByteIsRejected) {
  const auto bytes = encode_spool(sample_batch());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80, 0xFF}) {
      auto corrupt = bytes;
      corrupt[i] = static_cast<char>(corrupt[i] ^ mask);
      auto parsed = parse_spool(corrupt);
      // A flip in the payload length can make the file look truncated; anything else is bad.
      EXPECT_NE(parsed.status, Status::kOk) << "byte " << i << " mask " << int(mask);
      EXPECT_FALSE(parsed.error.empty());
    }
  }
}

TEST(SpoolFormat, TrailingBytesAndOtherFilesAreRejected) {
  auto bytes = encode_spool(sample_batch());
  EXPECT_EQ(parse_spool(bytes + "x").status, Status::kBad);
  EXPECT_EQ(parse_spool("hello, world, this is not a spool file").status, Status::kBad);
  EXPECT_EQ(parse_spool("").status, Status::kTruncated);
  EXPECT_EQ(parse_spool("NPS").status, Status::kTruncated);
  EXPECT_EQ(parse_spool("XPS").status, Status::kBad);
}

// A header that is self-consistent (valid CRC) but lies about its contents must still be refused
// without reading out of bounds or allocating what the counts claim.
TEST(SpoolFormat, LyingHeaderWithValidChecksum) {
  Batch b;
  b.id = "x-1";
  b.samples.push_back({"a", ObjectKind::kPort, "A1", "m", WallTime{}, 1});
  auto bytes = encode_spool(b);
  // Claim 1,000,000 samples: fails the counts-fit-the-payload check before any allocation.
  auto lie = bytes;
  lie[12] = '\x40';
  lie[13] = '\x42';
  lie[14] = '\x0f';
  EXPECT_EQ(parse_spool(lie).status, Status::kBad);
  // Version 2: refused by version, not by checksum.
  auto v2 = bytes;
  v2[8] = 2;
  auto parsed = parse_spool(v2);
  EXPECT_EQ(parsed.status, Status::kBad);
  EXPECT_NE(parsed.error.find("version 2"), std::string::npos) << parsed.error;
}

}  // namespace
}  // namespace netpower::manager::store::detail
