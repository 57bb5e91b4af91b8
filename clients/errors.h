// SPDX-License-Identifier: Apache-2.0
// The client's failures as absl::Status codes, one code per kind, so callers can tell them apart without
// parsing messages:
//
//   kUnavailable       the connection could not be made: refused, unreachable, name not resolved
//   kDeadlineExceeded  connect, a write or a wait for reply bytes took longer than its timeout
//   kAborted           the server closed or reset the connection
//   kDataLoss          the server sent bytes that are not RESP (protocol error)
//   kUnknown           the server answered with an error reply; the message is its line without '-'
//                      ("ERR unknown command 'FOO'...", "WRONGTYPE ...", "NOAUTH ...")
//   kFailedPrecondition  the connection is unusable after an earlier failure (the message says which)
//
// Only kUnknown is an answer from a healthy connection; after any other code the connection is broken
// (its replies would no longer line up with its requests) and every later call fails.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "protocol/resp_value.h"

namespace sessionkv::client {

absl::Status ServerError(std::string_view line);
inline bool IsServerError(const absl::Status& s) { return s.code() == absl::StatusCode::kUnknown; }
inline bool IsTimeout(const absl::Status& s) { return s.code() == absl::StatusCode::kDeadlineExceeded; }
inline bool IsConnectFailure(const absl::Status& s) { return s.code() == absl::StatusCode::kUnavailable; }
inline bool IsConnectionClosed(const absl::Status& s) { return s.code() == absl::StatusCode::kAborted; }
inline bool IsProtocolError(const absl::Status& s) { return s.code() == absl::StatusCode::kDataLoss; }

// OK for any reply but an error reply, which becomes ServerError(its text).
absl::Status ReplyStatus(const protocol::RespValue& reply);

}  // namespace sessionkv::client
