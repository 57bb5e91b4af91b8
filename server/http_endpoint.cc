// SPDX-License-Identifier: Apache-2.0
#include "server/http_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>

#include "CivetServer.h"
#include "base/strings.h"
#include "prometheus/text_serializer.h"
#include "server/config.h"

namespace sessionkv::server {

namespace {

// Sends a complete response with its length, so civetweb can keep the connection alive for the next
// scrape.
void Respond(mg_connection* conn, int status, const char* content_type, const std::string& body,
             bool head) {
  mg_response_header_start(conn, status);
  mg_response_header_add(conn, "Content-Type", content_type, -1);
  mg_response_header_add(conn, "Cache-Control", "no-store", -1);
  const std::string length = StrCat(body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_send(conn);
  if (!head) mg_write(conn, body.data(), body.size());
}

// Whether `address` (numeric IPv4 or IPv6) can be bound here: an optional address such as -::1 on a
// host without IPv6 is then skipped rather than failing the start.
bool CanBind(const std::string& address) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    len = sizeof(*v6);
  } else {
    return false;
  }
  const int fd = socket(ss.ss_family, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0;  // port 0: any free port
  close(fd);
  return ok;
}

}  // namespace

// One path's GET and HEAD.
class HttpEndpoint::Handler final : public CivetHandler {
 public:
  struct Reply {
    int status;
    const char* content_type;
    std::string body;
  };
  explicit Handler(std::function<Reply()> fn) : fn_(std::move(fn)) {}
  bool handleGet(CivetServer*, mg_connection* conn) override { return Serve(conn, false); }
  bool handleHead(CivetServer*, mg_connection* conn) override { return Serve(conn, true); }

 private:
  bool Serve(mg_connection* conn, bool head) {
    const Reply reply = fn_();
    Respond(conn, reply.status, reply.content_type, reply.body, head);
    return true;
  }
  std::function<Reply()> fn_;
};

absl::Status ListeningPorts(const std::vector<std::string>& bind, int port, std::vector<std::string>* out) {
  for (std::string address : bind) {
    const bool optional = !address.empty() && address[0] == '-';
    if (optional) address.erase(0, 1);
    if (address == "*") address = "0.0.0.0";
    if (address == "::*") address = "::";
    const bool v6 = address.find(':') != std::string::npos;
    if (!CanBind(address)) {
      if (optional) continue;
      return absl::UnavailableError(ToAbsl(StrCat("Failed listening on port ", port,
                                                  " (metrics), aborting: cannot bind ", address)));
    }
    out->push_back(v6 ? StrCat("[", address, "]:", port) : StrCat(address, ":", port));
  }
  if (out->empty()) return absl::FailedPreconditionError("metrics-bind names no usable address");
  return absl::OkStatus();
}

HttpEndpoint::HttpEndpoint(ServerState& state) : state_(state) {
  static constexpr const char* kText = "text/plain; charset=utf-8";
  metrics_ = std::make_unique<Handler>([this] {
    return Handler::Reply{200, "text/plain; version=0.0.4; charset=utf-8",
                          prometheus::TextSerializer().Serialize(state_.metrics.Collect())};
  });
  healthz_ = std::make_unique<Handler>([] { return Handler::Reply{200, kText, "ok\n"}; });
  readyz_ = std::make_unique<Handler>([this] {
    const std::string reason = state_.health.NotReadyReason();
    if (reason.empty()) return Handler::Reply{200, kText, "ready\n"};
    return Handler::Reply{503, kText, reason + "\n"};
  });
}

HttpEndpoint::~HttpEndpoint() {
  if (server_) server_->close();  // joins civetweb's threads before the handlers go
}

absl::Status HttpEndpoint::Start() {
  const int port = state_.config.metrics_port();
  if (port == 0) return absl::OkStatus();
  std::vector<std::string> ports;
  if (absl::Status status = ListeningPorts(state_.config.metrics_bind(), port, &ports); !status.ok()) {
    return status;
  }
  std::string joined;
  for (const std::string& p : ports) StrAppend(&joined, joined.empty() ? "" : ",", p);
  // Two workers: a probe is answered while a scrape is being serialized. No document_root: nothing but
  // the three paths is served (404).
  const std::vector<std::string> options = {"listening_ports", joined,       "num_threads",
                                            "2",               "request_timeout_ms", "10000",
                                            "enable_keep_alive", "yes",     "keep_alive_timeout_ms",
                                            "30000"};
  try {
    server_ = std::make_unique<CivetServer>(options);
  } catch (const CivetException& e) {
    return absl::UnavailableError(ToAbsl(StrCat("Failed listening on port ", port,
                                                " (metrics), aborting: ", e.what())));
  }
  server_->addHandler("/metrics", metrics_.get());
  server_->addHandler("/healthz", healthz_.get());
  server_->addHandler("/readyz", readyz_.get());
  addresses_ = ports;
  return absl::OkStatus();
}

}  // namespace sessionkv::server
