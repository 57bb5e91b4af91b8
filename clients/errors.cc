// SPDX-License-Identifier: Apache-2.0
#include "clients/errors.h"

#include <string>

namespace sessionkv::client {

absl::Status ServerError(std::string_view line) {
  return absl::Status(absl::StatusCode::kUnknown, std::string(line));
}

absl::Status ReplyStatus(const protocol::RespValue& reply) {
  if (reply.type == protocol::RespValue::Type::kError) return ServerError(reply.str);
  return absl::OkStatus();
}

}  // namespace sessionkv::client
