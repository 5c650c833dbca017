#include "collectors/sim/sim_control_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>

#include "collectors/sim/sim_chain.h"
#include "collectors/sim/sim_control_protocol.h"
#include "core/select_loop.h"
#include "sim_test_util.h"

namespace netpower::collectors::sim {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::port;
using testing::settings_from;
using ::testing::StartsWith;

// A private directory for socket files, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/netpower_sim_XXXXXX";
    if (::mkdtemp(name) == nullptr) throw std::system_error(errno, std::generic_category());
    path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

sockaddr_un address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  return addr;
}

// A blocking client socket; reads go through the test's loop pump.
class Client {
 public:
  explicit Client(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    auto addr = address(path);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;  // the server dropped us
      sent += static_cast<std::size_t>(n);
    }
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  // Reads what has arrived; false at end of stream.
  bool poll() {
    char buffer[65536];
    for (;;) {
      auto n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) {
        received_.append(buffer, static_cast<std::size_t>(n));
      } else {
        return !(n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK));
      }
    }
  }
  std::string& received() { return received_; }

 private:
  int fd_;
  bool connected_ = false;
  std::string received_;
};

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server = std::make_unique<SimControlServer>(
        loop, path, [this](std::string_view line) { return execute_control_command(chain, line); });
  }

  // Runs the loop until `client` has a whole line (returned without '\n'), or fails after 30 s (a
  // bound for a stuck server, generous for a loaded machine under ASan: a 900 kB history reply
  // once took more than 5 s in CI).
  std::string reply(Client& client) {
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      loop.run_once(5ms);
      bool open = client.poll();
      auto end = client.received().find('\n');
      if (end != std::string::npos) {
        auto line = client.received().substr(0, end);
        client.received().erase(0, end + 1);
        return line;
      }
      if (!open) break;
    }
    ADD_FAILURE() << "no reply line; received so far: " << client.received().substr(0, 200);
    return {};
  }
  // Runs the loop until the server closed `client`'s connection.
  bool closed_by_server(Client& client) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      loop.run_once(5ms);
      if (!client.poll()) return true;
    }
    return false;
  }
  void pump(int rounds = 5) {
    for (int i = 0; i < rounds; ++i) loop.run_once(1ms);
  }

  TempDir dir;
  std::string path = dir.file("sim.sock");
  core::SteadyClock clock;
  core::SelectLoop loop{clock};
  SimChain chain{settings_from("boards: 3"), clock};
  std::unique_ptr<SimControlServer> server;
};

TEST_F(ControlServerTest, AnswersStateWithJson) {
  Client client(path);
  ASSERT_TRUE(client.connected());
  client.send("state\n");
  auto state = nlohmann::json::parse(reply(client));
  EXPECT_EQ(state["boards"].size(), 3u);
  EXPECT_EQ(state["unplugged"], false);
  client.send("fault A1 on-sense\r\n");
  EXPECT_EQ(reply(client), "ok");
  EXPECT_EQ(chain.port(port("A1")).fault, PortFault::kOnSense);
}

TEST_F(ControlServerTest, SocketFileIsPrivateAndRemovedAtTheEnd) {
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  server.reset();
  EXPECT_NE(::stat(path.c_str(), &st), 0);
}

TEST_F(ControlServerTest, ServesSeveralClientsAtOnce) {
  Client first(path);
  Client second(path);
  first.send("sta");  // half a line: must not hold up the other client
  second.send("unplug\n");
  EXPECT_EQ(reply(second), "ok");
  first.send("te\n");
  EXPECT_EQ(nlohmann::json::parse(reply(first))["unplugged"], true);
  EXPECT_EQ(server->client_count(), 2u);
}

TEST_F(ControlServerTest, AnswersEveryLineOfABatchInOrder) {
  Client client(path);
  client.send("unplug\nbogus\nplug\n");
  EXPECT_EQ(reply(client), "ok");
  EXPECT_THAT(reply(client), StartsWith("error: unknown command"));
  EXPECT_EQ(reply(client), "ok");
  EXPECT_FALSE(chain.unplugged());
}

TEST_F(ControlServerTest, ALineOfExactlyTheLimitIsAccepted) {
  Client client(path);
  client.send(std::string(SimControlServer::kMaxLine, 'x') + "\n");
  EXPECT_THAT(reply(client), StartsWith("error: unknown command"));
  client.send("plug\n");
  EXPECT_EQ(reply(client), "ok");
}

TEST_F(ControlServerTest, AnOverlongLineDropsTheClient) {
  Client bad(path);
  Client good(path);
  bad.send(std::string(SimControlServer::kMaxLine + 1, 'x'));
  EXPECT_THAT(reply(bad), HasSubstr("line longer than 4096 bytes"));
  EXPECT_TRUE(closed_by_server(bad));
  good.send("plug\n");
  EXPECT_EQ(reply(good), "ok");
  EXPECT_EQ(server->client_count(), 1u);
}

TEST_F(ControlServerTest, AnOverlongLineInOneBurstDropsTheClient) {
  Client bad(path);
  bad.send("plug\n" + std::string(100000, 'y') + "\nplug\n");
  EXPECT_EQ(reply(bad), "ok");
  EXPECT_THAT(reply(bad), StartsWith("error: line longer"));
  EXPECT_TRUE(closed_by_server(bad));
}

TEST_F(ControlServerTest, ALastLineWithoutNewlineIsAnswered) {
  Client client(path);
  client.send("unplug");
  client.shutdown_write();
  EXPECT_EQ(reply(client), "ok");
  EXPECT_TRUE(closed_by_server(client));
  EXPECT_TRUE(chain.unplugged());
  EXPECT_EQ(server->client_count(), 0u);
}

TEST_F(ControlServerTest, ForgetsClientsThatLeave) {
  {
    Client client(path);
    client.send("plug\n");
    EXPECT_EQ(reply(client), "ok");
    EXPECT_EQ(server->client_count(), 1u);
  }
  pump();
  EXPECT_EQ(server->client_count(), 0u);
}

TEST_F(ControlServerTest, DeliversRepliesLargerThanTheSocketBuffer) {
  for (std::size_t i = 0; i < SimChain::kMaxHistory; ++i) chain.tickle(port("A1"), {0xff, 0xee});
  Client client(path);
  client.send("history\n");
  auto history = nlohmann::json::parse(reply(client));
  EXPECT_EQ(history.size(), SimChain::kMaxHistory);
}

TEST_F(ControlServerTest, RefusesClientsBeyondTheLimit) {
  std::vector<std::unique_ptr<Client>> clients;
  for (std::size_t i = 0; i < SimControlServer::kMaxClients; ++i) {
    clients.push_back(std::make_unique<Client>(path));
    pump(1);
  }
  pump();
  EXPECT_EQ(server->client_count(), SimControlServer::kMaxClients);
  Client extra(path);
  EXPECT_THAT(reply(extra), HasSubstr("too many"));
  EXPECT_TRUE(closed_by_server(extra));
  clients.back()->send("plug\n");
  EXPECT_EQ(reply(*clients.back()), "ok");
}

TEST_F(ControlServerTest, RefusesAPathThatAnotherServerListensOn) {
  auto handler = [](std::string_view) { return std::string("ok"); };
  EXPECT_THROW(SimControlServer(loop, path, handler), std::system_error);
  Client client(path);
  client.send("plug\n");
  EXPECT_EQ(reply(client), "ok");  // the first server still serves
}

TEST(ControlServerSetup, ReplacesAStaleSocketFile) {
  TempDir dir;
  auto path = dir.file("stale.sock");
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  auto addr = address(path);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ::close(fd);  // the file stays behind, nobody listening
  core::SteadyClock clock;
  core::SelectLoop loop(clock);
  SimControlServer server(loop, path, [](std::string_view) { return std::string("ok"); });
  Client client(path);
  EXPECT_TRUE(client.connected());
}

TEST(ControlServerSetup, LeavesOtherFilesAlone) {
  TempDir dir;
  auto path = dir.file("precious.txt");
  std::ofstream(path) << "keep me\n";
  core::SteadyClock clock;
  core::SelectLoop loop(clock);
  auto handler = [](std::string_view) { return std::string("ok"); };
  EXPECT_THROW(SimControlServer(loop, path, handler), std::system_error);
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  EXPECT_EQ(text, "keep me");
}

TEST(ControlServerSetup, FailsForAnUnusablePath) {
  core::SteadyClock clock;
  core::SelectLoop loop(clock);
  auto handler = [](std::string_view) { return std::string("ok"); };
  EXPECT_THROW(SimControlServer(loop, "/nonexistent-dir/sim.sock", handler), std::system_error);
  EXPECT_THROW(SimControlServer(loop, "/tmp/" + std::string(200, 'x'), handler), std::system_error);
  EXPECT_THROW(SimControlServer(loop, "", handler), std::system_error);
}

}  // namespace
}  // namespace netpower::collectors::sim
