// SPDX-License-Identifier: Apache-2.0
// Certificates for TLS tests, made with OpenSSL's API (no openssl CLI needed), all PEM, into `dir`:
//
//   ca.crt                  a CA
//   server.crt server.key   from the CA, for localhost and 127.0.0.1 (subjectAltName)
//   server-encrypted.key    server.key encrypted with kTestKeyPassphrase
//   client.crt client.key   a client certificate from the CA
//   foreign.crt foreign.key a client certificate from another CA
//   dh.pem                  DH parameters (RFC 7919's ffdhe2048)
//
// Keys are P-256, certificates valid for an hour.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace sessionkv::testing {

inline constexpr char kTestKeyPassphrase[] = "pass phrase";

absl::Status MakeTestCertificates(const std::string& dir);

}  // namespace sessionkv::testing
