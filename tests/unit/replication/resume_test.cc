// SPDX-License-Identifier: Apache-2.0
// The resume decision against every row of its table (docs/replication.md, "The resume decision").
#include "replication/resume.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace sessionkv::replication {
namespace {

using ::testing::HasSubstr;

const std::string kA(40, 'a'), kB(40, 'b'), kC(40, 'c'), kUnknown(40, 'f');

// The primary's chain: A (1..100), then a restart: B (101..250), then a promotion: C (251.., epoch
// 2). It has written up to 400 and its WAL holds 150 onward.
const HistoryList& Chain() {
  static const HistoryList chain({{.id = kA, .epoch = 1, .first_seq = 1, .last_seq = 100},
                                  {.id = kB, .epoch = 1, .first_seq = 101, .last_seq = 250},
                                  {.id = kC, .epoch = 2, .first_seq = 251}});
  return chain;
}

PrimaryView View(std::optional<std::string> tag = std::nullopt) {
  return {.history = &Chain(),
          .last_seq = 400,
          .oldest_retained_seq = 150,
          .tag_at_resume_point = std::move(tag),
          .keys = 1000,
          .retained_bytes = 3u << 20,
          .retained_ms = 7'200'000,
          .retention_limit_mb = 4096,
          .retention_limit_s = 21600};
}

struct Row {
  std::string name;
  ResumeRequest request;
  PrimaryView primary;
  ResumeKind kind;
  uint64_t start_seq = 0;
  uint64_t fork_seq = 0;
  std::string reason_has;
};

class ResumeTableTest : public ::testing::TestWithParam<Row> {};

TEST_P(ResumeTableTest, Decides) {
  const Row& row = GetParam();
  ASSERT_TRUE(Chain().Validate().ok());
  const ResumeDecision d = DecideResume(row.request, row.primary);
  EXPECT_EQ(ResumeKindName(d.kind), ResumeKindName(row.kind)) << d.reason;
  EXPECT_EQ(d.start_seq, row.start_seq);
  EXPECT_EQ(d.fork_seq, row.fork_seq);
  EXPECT_THAT(d.reason, HasSubstr(row.reason_has));
  EXPECT_EQ(d.partial_ok(), row.kind == ResumeKind::kContinue);
}

PrimaryView WithKeys(uint64_t keys, bool allow = false) {
  PrimaryView v = View();
  v.keys = keys;
  v.allow_resync_from_behind = allow;
  return v;
}

// GCC 12 warns about the exception path of a large braced list of aggregates holding strings
// (-Wmaybe-uninitialized on the temporaries' destructors), a known false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
std::vector<Row> Rows() {
  return {
      // CONTINUE: on the chain, tag agrees, still retained.
      Row{"CurrentHistoryCaughtUp",
          {.history_id = kC, .next_seq = 401},
          View(),
          ResumeKind::kContinue,
          401,
          0,
          "continue from seq 401"},
      Row{"CurrentHistoryBehind",
          {.history_id = kC, .next_seq = 301},
          View(kC),
          ResumeKind::kContinue,
          301},
      Row{"CurrentHistoryTagNotRetained",
          {.history_id = kC, .next_seq = 301},
          View(),
          ResumeKind::kContinue,
          301},
      Row{"ClosedHistoryAtItsEnd",
          {.history_id = kB, .next_seq = 251},
          View(kB),
          ResumeKind::kContinue,
          251},  // another replica of the promoted node's old primary
      Row{"ClosedHistoryInside",
          {.history_id = kB, .next_seq = 201},
          View(kB),
          ResumeKind::kContinue,
          201},
      Row{"OldestRetainedIsEnough",
          {.history_id = kB, .next_seq = 150},
          View(kB),
          ResumeKind::kContinue,
          150},
      Row{"RestartedPrimaryFirstBatch",
          {.history_id = kA, .next_seq = 101},
          View(),
          ResumeKind::kFull,
          0,
          0,
          "retention exceeded"},
      // FULL: retention exceeded, with the numbers behind it.
      Row{"RetentionExceededByOne",
          {.history_id = kB, .next_seq = 149},
          View(kB),
          ResumeKind::kFull,
          0,
          0,
          "retention exceeded: the replica needs seq 149, the log holds from 150 (1 sequences "
          "short; it keeps 3 MB over 7200 s, limits 4096 MB / 21600 s)"},
      Row{"RetentionExceededOnAnOldHistory",
          {.history_id = kA, .next_seq = 51},
          View(),
          ResumeKind::kFull,
          0,
          0,
          "needs seq 51"},
      // FULL: new replica, or unknown history on a primary that is not much smaller.
      Row{"NewReplica",
          {.history_id = "", .next_seq = 1},
          View(),
          ResumeKind::kFull,
          0,
          0,
          "new replica"},
      Row{"UnknownHistoryEmptyReplica",
          {.history_id = kUnknown, .next_seq = 77},
          View(),
          ResumeKind::kFull,
          0,
          0,
          "unknown history " + kUnknown},
      Row{"UnknownHistorySimilarSize",
          {.history_id = kUnknown, .next_seq = 77, .replica_keys = 1200},
          View(),
          ResumeKind::kFull,
          0,
          0,
          "unknown history"},
      Row{"UnknownHistoryAtTheRatio",
          {.history_id = kUnknown, .next_seq = 77, .replica_keys = 2000},
          View(),
          ResumeKind::kFull},  // 1000 keys is not fewer than 0.5 x 2000
      // REFUSE: unknown history, primary far smaller; FORCE-RESYNC or the directive lets it
      // through.
      Row{"UnknownHistoryFarSmallerPrimary",
          {.history_id = kUnknown, .next_seq = 5000, .replica_keys = 100000},
          View(),
          ResumeKind::kRefuse,
          0,
          0,
          "the primary has 1000 keys, fewer than 0.5 x the replica's 100000; refusing to replace "
          "the replica's data (REPLICAOF host port FORCE-RESYNC overrides)"},
      Row{"EmptyPrimaryAgainstAReplicaWithoutHistory",
          {.history_id = "", .next_seq = 1, .replica_keys = 10},
          WithKeys(0),
          ResumeKind::kRefuse,
          0,
          0,
          "replica has no history"},
      Row{"ForceResync",
          {.history_id = kUnknown, .next_seq = 5000, .replica_keys = 100000, .force_resync = true},
          View(),
          ResumeKind::kFull,
          0,
          0,
          "unknown history"},
      Row{"AllowResyncFromBehind",
          {.history_id = kUnknown, .next_seq = 5000, .replica_keys = 100000},
          WithKeys(1000, /*allow=*/true),
          ResumeKind::kFull},
      // DIVERGED: the replica holds batches the chain never had.
      Row{"OldPrimaryRejoinsWithADivergentTail",
          {.history_id = kB, .next_seq = 281},
          View(),
          ResumeKind::kDiverged,
          0,
          250,
          "replica is at seq 280 on history " + kB + ", which the primary closed at 250"},
      Row{"ReplicaAheadOfACrashedPrimary",
          {.history_id = kC, .next_seq = 421},
          View(),
          ResumeKind::kDiverged,
          0,
          400,
          "past the primary's newest 400"},
      Row{"ClosedHistoryOneBeyond",
          {.history_id = kA, .next_seq = 102},
          View(),
          ResumeKind::kDiverged,
          0,
          100,
          "closed at 100"},
      Row{"TagDisagreesWithTheChain",
          {.history_id = kC, .next_seq = 301},
          View(kB),
          ResumeKind::kDiverged,
          0,
          250,
          "the batch at seq 300 carries history " + kB + ", the primary's list says " + kC}};
}
#pragma GCC diagnostic pop

INSTANTIATE_TEST_SUITE_P(Table, ResumeTableTest, ::testing::ValuesIn(Rows()),
                         [](const auto& info) { return info.param.name; });

TEST(ResumeTest, KindNames) {
  EXPECT_EQ(ResumeKindName(ResumeKind::kContinue), "CONTINUE");
  EXPECT_EQ(ResumeKindName(ResumeKind::kFull), "FULL");
  EXPECT_EQ(ResumeKindName(ResumeKind::kDiverged), "DIVERGED");
  EXPECT_EQ(ResumeKindName(ResumeKind::kRefuse), "REFUSE");
}

// The tag is about the batch before next_seq; a replica at the very start has none to check.
TEST(ResumeTest, NoTagCheckAtTheStart) {
  const HistoryList chain({{.id = kA, .epoch = 1, .first_seq = 1}});
  PrimaryView v{
      .history = &chain, .last_seq = 10, .oldest_retained_seq = 1, .tag_at_resume_point = kB};
  const ResumeDecision d = DecideResume({.history_id = kA, .next_seq = 1}, v);
  EXPECT_EQ(d.kind, ResumeKind::kContinue);
  EXPECT_EQ(d.start_seq, 1u);
}

// Every (history, position) pair a replica can claim on a small chain gets exactly the answer the
// table gives, computed independently here.
TEST(ResumeTest, ExhaustiveOverPositions) {
  for (uint64_t oldest = 1; oldest <= 402; oldest += 37) {
    PrimaryView v = View();
    v.oldest_retained_seq = oldest;
    for (const HistoryEntry& e : Chain().entries()) {
      for (uint64_t next = 1; next <= 420; ++next) {
        const uint64_t applied = next - 1;
        const uint64_t end = e.open() ? 400 : e.last_seq;
        ResumeKind want;
        if (applied > end) {
          want = ResumeKind::kDiverged;
        } else if (next <= 400 && next < oldest) {
          want = ResumeKind::kFull;
        } else {
          want = ResumeKind::kContinue;
        }
        const ResumeDecision d = DecideResume({.history_id = e.id, .next_seq = next}, v);
        ASSERT_EQ(d.kind, want) << e.id << " next " << next << " oldest " << oldest << ": "
                                << d.reason;
        if (want == ResumeKind::kDiverged) {
          ASSERT_EQ(d.fork_seq, end);
        }
        if (want == ResumeKind::kContinue) {
          ASSERT_EQ(d.start_seq, next);
        }
      }
    }
  }
}

}  // namespace
}  // namespace sessionkv::replication
