// SPDX-License-Identifier: Apache-2.0
#include "server/health.h"

namespace sessionkv::server {

void Health::AddReadinessCheck(Check check) {
  std::lock_guard lock(mu_);
  checks_.push_back(std::move(check));
}

std::string Health::NotReadyReason() const {
  if (shutting_down()) return "shutting down";
  std::lock_guard lock(mu_);
  for (const Check& check : checks_) {
    std::string reason = check();
    if (!reason.empty()) return reason;
  }
  return "";
}

}  // namespace sessionkv::server
