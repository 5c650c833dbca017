#pragma once
// A line-oriented Unix-domain stream server on the EventLoop: each line a client sends is passed to
// the handler and its reply is sent back followed by '\n'. Non-blocking throughout; no threads.
//
// Limits (the bytes come from outside): a line longer than kMaxLine bytes gets an error reply and
// the client is dropped; at most kMaxClients clients at once (more are refused); a client that does
// not read its replies is dropped once kMaxPendingOutput bytes wait for it.

#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/event_loop.h"

namespace netpower::collectors::sim {

class SimControlServer {
 public:
  using Handler = std::function<std::string(std::string_view line)>;

  static constexpr std::size_t kMaxLine = 4096;
  static constexpr std::size_t kMaxClients = 16;
  static constexpr std::size_t kMaxPendingOutput = 4 * 1024 * 1024;

  // Listens on `path`, creating the socket file with mode 0600. A stale socket file (one nobody
  // listens on) is replaced; a live one or a file that is not a socket is left alone and
  // std::system_error thrown, as for any other failure to set up the socket. `loop` must outlive
  // the server.
  SimControlServer(core::EventLoop& loop, std::string path, Handler handler);
  // Closes every connection and removes the socket file (if it is still ours).
  ~SimControlServer();
  SimControlServer(const SimControlServer&) = delete;
  SimControlServer& operator=(const SimControlServer&) = delete;

  const std::string& path() const { return path_; }
  std::size_t client_count() const { return clients_.size(); }

 private:
  struct Client {
    std::string in;            // received bytes not yet ending in '\n'
    std::string out;           // replies not yet sent
    bool read_closed = false;  // the client shut down its side; close once `out` is sent
  };

  void on_accept();
  void on_readable(int fd);
  // Runs the complete lines in `client.in`; false if the client sent an overlong line.
  bool run_lines(Client& client);
  // Sends what it can of every pending reply, drops clients that are finished or failed, and keeps
  // retrying on a timer while output is pending (the loop has no writability watch).
  void flush_all();
  // false if the client failed and must be dropped.
  bool flush(int fd, Client& client);
  void drop(int fd);

  core::EventLoop& loop_;
  std::string path_;
  Handler handler_;
  int listen_fd_ = -1;
  dev_t socket_dev_ = 0;
  ino_t socket_ino_ = 0;
  std::map<int, Client> clients_;
  std::optional<core::TimerId> flush_timer_;
};

}  // namespace netpower::collectors::sim
