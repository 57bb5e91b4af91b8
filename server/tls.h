// SPDX-License-Identifier: Apache-2.0
// TLS for client connections, as Redis 7.2's tls.c: the OpenSSL context built from the tls-* directives,
// rebuilt on CONFIG SET, and the error texts Redis logs. Connections read and write through
// server/transport.h's TlsTransport; the listener is the Server's.
//
// A connection keeps the context it was accepted with (a shared_ptr), so a reload with new certificates
// changes only the connections accepted after it, as in Redis.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "asio.hpp"
#include "asio/ssl.hpp"

namespace sessionkv::server {

class Config;

// tls-auth-clients, in Redis's order (TLS_CLIENT_AUTH_NO, _YES, _OPTIONAL); the value is the enum index.
enum class TlsAuthClients : uint8_t { kNo = 0, kYes = 1, kOptional = 2 };

// Redis's redisTLSContextConfig: what a context is built from. Empty strings are unset.
struct TlsSettings {
  std::string cert_file;
  std::string key_file;
  std::string key_file_pass;
  std::string ca_cert_file;
  std::string ca_cert_dir;
  std::string dh_params_file;
  std::string protocols;     // "TLSv1.2 TLSv1.3"; empty: TLSv1.2 and TLSv1.3
  std::string ciphers;       // TLSv1.2 and below (OpenSSL cipher list syntax)
  std::string ciphersuites;  // TLSv1.3
  bool prefer_server_ciphers = false;
  bool session_caching = true;
  int64_t session_cache_size = 20 * 1024;
  int64_t session_cache_timeout = 300;
  TlsAuthClients auth_clients = TlsAuthClients::kYes;

  // The tls-* values; relative paths are made absolute against `dir`, where Redis (which chdir()s
  // there) opens them.
  static TlsSettings FromConfig(const Config& config);
};

// Bits of the protocols tls-protocols enables (Redis's REDIS_TLS_PROTO_*).
enum TlsProtocol : int {
  kTlsV1 = 1 << 0,
  kTlsV1_1 = 1 << 1,
  kTlsV1_2 = 1 << 2,
  kTlsV1_3 = 1 << 3,
};
// Redis's parseProtocolsConfig: space-separated names, without case; "" is TLSv1.2 and TLSv1.3. The error
// is the line Redis logs.
absl::StatusOr<int> ParseTlsProtocols(std::string_view protocols);

using TlsContext = asio::ssl::context;

// Redis's tlsConfigure: checks the settings and builds a server context (certificate chain, key, CA for
// client certificates, protocols, ciphers, session cache, DH parameters). The error is the line Redis
// logs, e.g. "Failed to load certificate: /etc/tls/server.crt: error:80000002:system library::No such
// file or directory".
absl::StatusOr<std::shared_ptr<TlsContext>> MakeTlsContext(const TlsSettings& settings);

// The client side, for a replica's link to its primary (Redis's redis_tls_client_ctx, which it builds from
// the same tls-* directives): the primary's certificate is verified against tls-ca-cert-file /
// tls-ca-cert-dir (required), and tls-cert-file / tls-key-file, when set, are presented to a primary
// that asks for a client certificate (tls-auth-clients yes).
absl::StatusOr<std::shared_ptr<TlsContext>> MakeTlsClientContext(const TlsSettings& settings);

// CONFIG SET tls-replication (Redis's applyTlsCfg): with yes, refused with kTlsUpdateFailed (and the reason
// logged) unless the client context can be built from the tls-* settings.
absl::Status CheckReplicationTls(const Config& config);

// Applies tls-auth-clients to one accepted connection (Redis's connCreateAcceptedTLS): no asks for no
// certificate, optional verifies one if sent, yes refuses a client without a valid one.
void SetClientVerification(asio::ssl::stream<asio::ip::tcp::socket>& stream, TlsAuthClients auth);

// What a failed handshake is logged with: OpenSSL's error string as Redis prints it
// ("error:0A0000C7:SSL routines::peer did not return a certificate"), else Asio's message.
std::string TlsErrorText(const asio::error_code& ec);

// The current server context. Thread-safe: the accepting thread reads it while CONFIG SET replaces it.
class TlsContextHolder {
 public:
  // Builds a context from the config and swaps it in; on failure logs Redis's reason at warning level and
  // keeps the old context. `reconfigure` false keeps a context that exists already (Redis's applyTLSPort).
  absl::Status Configure(const Config& config, bool reconfigure);
  // nullptr until configured.
  std::shared_ptr<TlsContext> current() const;

 private:
  mutable std::mutex mu_;
  std::shared_ptr<TlsContext> context_;
};

// The reason CONFIG SET reports when the context cannot be rebuilt (Redis's applyTlsCfg).
inline constexpr std::string_view kTlsUpdateFailed = "Unable to update TLS configuration. Check server logs.";

}  // namespace sessionkv::server
