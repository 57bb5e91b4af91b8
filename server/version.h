// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/utsname.h>

#include <string>
#include <string_view>

namespace sessionkv::server {

// Our own release.
inline constexpr std::string_view kSessionkvVersion = "0.1.0";
// The Redis release whose behaviour we match; reported as redis_version (INFO, HELLO) because clients
// gate features on it (Lettuce sends CLIENT SETINFO only to >= 7.2).
inline constexpr std::string_view kRedisVersion = "7.2.4";

// INFO's os field and redis_instance_info's os label: "Linux 6.1.0-18-amd64 x86_64".
inline std::string OsName() {
  struct utsname u;
  uname(&u);
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

}  // namespace sessionkv::server
