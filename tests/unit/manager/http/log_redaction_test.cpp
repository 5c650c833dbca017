#include "manager/http/log_redaction.h"

#include <gtest/gtest.h>

namespace netpower::manager::http {
namespace {

const std::vector<std::string> kSecrets = {"tok-0123456789abcdef", ""};

TEST(LogRedaction, KeepsWhatCarriesNoCredential) {
  EXPECT_EQ(loggable_target("/api/v1/status", kSecrets), "/api/v1/status");
  EXPECT_EQ(loggable_target("/api/v1/events?limit=5&agent=a", kSecrets),
            "/api/v1/events?limit=5&agent=a");
  EXPECT_EQ(loggable_target("/x?flag&", kSecrets), "/x?flag&");
}

TEST(LogRedaction, RedactsCredentialNamesAndKnownTokens) {
  EXPECT_EQ(loggable_target("/a?token=whatever", kSecrets), "/a?token=<redacted>");
  EXPECT_EQ(loggable_target("/a?Access_Token=x&limit=1", kSecrets),
            "/a?Access_Token=<redacted>&limit=1");
  EXPECT_EQ(loggable_target("/a?api%5Fkey=x", kSecrets), "/a?api%5Fkey=<redacted>");
  EXPECT_EQ(loggable_target("/a?password=x&secret=y", kSecrets),
            "/a?password=<redacted>&secret=<redacted>");
  // A known token anywhere: as a value, percent-encoded, as a name, in the path.
  EXPECT_EQ(loggable_target("/a?q=tok-0123456789abcdef", kSecrets), "/a?q=<redacted>");
  EXPECT_EQ(loggable_target("/a?q=tok%2D0123456789abcdef", kSecrets), "/a?q=<redacted>");
  EXPECT_EQ(loggable_target("/a?tok-0123456789abcdef", kSecrets), "/a?<redacted>");
  EXPECT_EQ(loggable_target("/agents/tok-0123456789abcdef?limit=1", kSecrets),
            "<redacted>?limit=1");
}

}  // namespace
}  // namespace netpower::manager::http
