// SPDX-License-Identifier: Apache-2.0
// IsOkAndHolds(m): a StatusOr that is ok and whose value matches m (Debian's gmock has no absl
// matchers).
#pragma once

#include <gmock/gmock.h>

namespace sessionkv::replication::testing {

MATCHER_P(IsOkAndHolds, inner,
          "is ok and holds a value that " + ::testing::DescribeMatcher<decltype(inner)>(inner)) {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(inner, *arg, result_listener);
}

}  // namespace sessionkv::replication::testing
