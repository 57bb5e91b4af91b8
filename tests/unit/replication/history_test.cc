// SPDX-License-Identifier: Apache-2.0
#include "replication/history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace sessionkv::replication {
namespace {

using ::testing::HasSubstr;

std::string Id(char c) { return std::string(40, c); }

TEST(HistoryListTest, FirstStartOpensEpochOne) {
  std::mt19937_64 rng(1);
  HistoryList list;
  const HistoryEntry& e = list.MintOnStart(0, rng);
  EXPECT_EQ(e.epoch, 1u);
  EXPECT_EQ(e.first_seq, 1u);
  EXPECT_TRUE(e.open());
  EXPECT_EQ(e.id.size(), 40u);
  EXPECT_EQ(e.id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(list.Validate().ok());
}

// Every start closes the previous history where recovery ended; the epoch stays (a restart
// supersedes nobody), the id changes (what the restarted primary writes next is not what it may
// have lost).
TEST(HistoryListTest, RestartClosesAtTheRecoveredSequence) {
  std::mt19937_64 rng(2);
  HistoryList list;
  const std::string first = list.MintOnStart(0, rng).id;
  const std::string second = list.MintOnStart(120, rng).id;
  ASSERT_EQ(list.entries().size(), 2u);
  EXPECT_NE(first, second);
  EXPECT_EQ(list.entries()[0].last_seq, 120u);
  EXPECT_EQ(list.entries()[1].first_seq, 121u);
  EXPECT_EQ(list.entries()[1].epoch, 1u);
  EXPECT_TRUE(list.current().open());
  // A restart with no writes in between leaves an empty, still valid, entry.
  list.MintOnStart(120, rng);
  EXPECT_EQ(list.entries()[1].last_seq, 120u);
  EXPECT_EQ(list.entries()[2].first_seq, 121u);
  EXPECT_TRUE(list.Validate().ok());
}

TEST(HistoryListTest, PromotionRaisesTheEpoch) {
  std::mt19937_64 rng(3);
  HistoryList list;
  list.MintOnStart(0, rng);
  const HistoryEntry& promoted = list.MintOnPromotion(500, rng);
  EXPECT_EQ(promoted.epoch, 2u);
  EXPECT_EQ(promoted.first_seq, 501u);
  EXPECT_EQ(list.entries()[0].last_seq, 500u);
  EXPECT_EQ(list.epoch(), 2u);
  list.MintOnStart(900, rng);
  EXPECT_EQ(list.epoch(), 2u);
  EXPECT_TRUE(list.Validate().ok());
}

TEST(HistoryListTest, FindAndCovering) {
  HistoryList list({{.id = Id('a'), .epoch = 1, .first_seq = 1, .last_seq = 100},
                    {.id = Id('b'), .epoch = 1, .first_seq = 101, .last_seq = 100},  // empty
                    {.id = Id('c'), .epoch = 2, .first_seq = 101}});
  ASSERT_TRUE(list.Validate().ok());
  EXPECT_EQ(list.Find(Id('b')), &list.entries()[1]);
  EXPECT_EQ(list.Find(Id('d')), nullptr);
  EXPECT_EQ(list.Covering(1, 200)->id, Id('a'));
  EXPECT_EQ(list.Covering(100, 200)->id, Id('a'));
  EXPECT_EQ(list.Covering(101, 200)->id, Id('c'));
  EXPECT_EQ(list.Covering(200, 200)->id, Id('c'));
  EXPECT_EQ(list.Covering(201, 200), nullptr);
  EXPECT_EQ(list.Covering(0, 200), nullptr);
}

TEST(HistoryListTest, ValidateRejectsBrokenChains) {
  const auto error = [](std::vector<HistoryEntry> entries) {
    return std::string(HistoryList(std::move(entries)).Validate().message());
  };
  EXPECT_THAT(error({{.id = "short", .epoch = 1, .first_seq = 1}}),
              HasSubstr("not a 40-hex-digit id"));
  EXPECT_THAT(error({{.id = Id('A'), .epoch = 1, .first_seq = 1}}),
              HasSubstr("not a 40-hex-digit id"));
  EXPECT_THAT(error({{.id = Id('a'), .epoch = 0, .first_seq = 1}}), HasSubstr("epoch 0"));
  EXPECT_THAT(error({{.id = Id('a'), .epoch = 1, .first_seq = 0}}), HasSubstr("first_seq 0"));
  EXPECT_THAT(error({{.id = Id('a'), .epoch = 1, .first_seq = 10, .last_seq = 5}}),
              HasSubstr("ends before it starts"));
  EXPECT_THAT(error({{.id = Id('a'), .epoch = 1, .first_seq = 1},
                     {.id = Id('b'), .epoch = 1, .first_seq = 1}}),
              HasSubstr("open but not the newest"));
  EXPECT_THAT(error({{.id = Id('a'), .epoch = 1, .first_seq = 1, .last_seq = 10},
                     {.id = Id('b'), .epoch = 1, .first_seq = 12}}),
              HasSubstr("does not start at 11"));
  EXPECT_THAT(error({{.id = Id('a'), .epoch = 2, .first_seq = 1, .last_seq = 10},
                     {.id = Id('b'), .epoch = 1, .first_seq = 11}}),
              HasSubstr("next epoch is lower"));
  EXPECT_THAT(error({{.id = Id('a'), .epoch = 1, .first_seq = 1, .last_seq = 10},
                     {.id = Id('a'), .epoch = 1, .first_seq = 11}}),
              HasSubstr("id repeated"));
  EXPECT_EQ(error({}), "");
}

TEST(HistoryListTest, PruneKeepsTheNewest) {
  std::mt19937_64 rng(4);
  HistoryList list;
  for (uint64_t s = 0; s < 10; ++s) list.MintOnStart(s * 10, rng);
  const HistoryEntry newest = list.current();
  list.Prune(3);
  ASSERT_EQ(list.entries().size(), 3u);
  EXPECT_EQ(list.current(), newest);
  EXPECT_EQ(list.entries()[0].first_seq, 71u);
  EXPECT_TRUE(list.Validate().ok());
}

ReplState Sample() {
  return {.node_id = "5a1c7a0e-0c1b-4c52-9b7e-2f1d3c4b5a69",
          .history = HistoryList({{.id = Id('a'), .epoch = 1, .first_seq = 1, .last_seq = 100},
                                  {.id = Id('b'), .epoch = 2, .first_seq = 101}})};
}

TEST(ReplStateTest, TextFormIsReadable) {
  EXPECT_EQ(FormatReplState(Sample()),
            "sessionkv-repl-state 1\n"
            "node 5a1c7a0e-0c1b-4c52-9b7e-2f1d3c4b5a69\n"
            "history aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 1 100\n"
            "history bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 2 101 open\n");
  absl::StatusOr<ReplState> parsed = ParseReplState(FormatReplState(Sample()));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, Sample());
}

TEST(ReplStateTest, ParseErrorsNameTheLine) {
  const auto error = [](std::string_view text) {
    return std::string(ParseReplState(text).status().message());
  };
  EXPECT_EQ(error(""), "repl-state is empty");
  EXPECT_EQ(error("redis 1\n"), "repl-state line 1: not a repl-state file");
  EXPECT_EQ(error("sessionkv-repl-state 2\n"),
            "repl-state line 1: format version 2 is not supported");
  EXPECT_EQ(error("sessionkv-repl-state 1\nfoo bar\n"), "repl-state line 2: unknown record 'foo'");
  EXPECT_EQ(error("sessionkv-repl-state 1\nhistory " + Id('a') + " x 1 open\n"),
            "repl-state line 2: bad number");
  EXPECT_EQ(error("sessionkv-repl-state 1\nhistory " + Id('a') + " 1 1 later\n"),
            "repl-state line 2: bad last sequence");
  EXPECT_THAT(error("sessionkv-repl-state 1\nhistory " + Id('a') + " 1 1 open\nhistory " + Id('b') +
                    " 1 5 open\n"),
              HasSubstr("open but not the newest"));
}

class ReplStateFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/repl-state-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/repl-state";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, path_;
};

TEST_F(ReplStateFileTest, SaveThenLoad) {
  EXPECT_EQ(LoadReplState(path_).status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(SaveReplState(path_, Sample()).ok());
  absl::StatusOr<ReplState> loaded = LoadReplState(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, Sample());
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));

  // A second save replaces the file whole.
  ReplState next = Sample();
  std::mt19937_64 rng(5);
  next.history.MintOnStart(250, rng);
  ASSERT_TRUE(SaveReplState(path_, next).ok());
  loaded = LoadReplState(path_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, next);
}

// A crash between writing the temporary file and the rename leaves the old state in place.
TEST_F(ReplStateFileTest, LeftoverTempFileDoesNotMatter) {
  ASSERT_TRUE(SaveReplState(path_, Sample()).ok());
  std::ofstream(path_ + ".tmp") << "sessionkv-repl-state 1\nnode half-writ";
  absl::StatusOr<ReplState> loaded = LoadReplState(path_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, Sample());
  ASSERT_TRUE(SaveReplState(path_, Sample()).ok());
}

TEST_F(ReplStateFileTest, InvalidStateIsNotSaved) {
  ReplState bad = Sample();
  bad.history = HistoryList({{.id = "x", .epoch = 1, .first_seq = 1}});
  EXPECT_FALSE(SaveReplState(path_, bad).ok());
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(ReplStateFileTest, CorruptFileIsDataLossNamingThePath) {
  std::ofstream(path_) << "garbage\n";
  absl::Status s = LoadReplState(path_).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(s.message(), HasSubstr(path_));
}

TEST_F(ReplStateFileTest, UnwritableDirectoryIsAnError) {
  EXPECT_FALSE(SaveReplState(dir_ + "/missing/repl-state", Sample()).ok());
}

}  // namespace
}  // namespace sessionkv::replication
