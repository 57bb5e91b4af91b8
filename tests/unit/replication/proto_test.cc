// SPDX-License-Identifier: Apache-2.0
// Pins repl.proto's field numbers and enum values: they are on the wire between releases, so they
// are append-only (style.md pattern 9). A change here must be an addition.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "replication/repl.pb.h"

namespace sessionkv::replication {
namespace {

using google::protobuf::Descriptor;

void ExpectFields(const Descriptor* d, const std::vector<std::pair<std::string, int>>& fields) {
  for (const auto& [name, number] : fields) {
    const auto* f = d->FindFieldByName(name);
    ASSERT_NE(f, nullptr) << d->full_name() << "." << name << " is gone";
    EXPECT_EQ(f->number(), number) << d->full_name() << "." << name;
  }
}

TEST(ReplProtoTest, FieldNumbersArePinned) {
  ExpectFields(pb::Frame::descriptor(), {{"version", 15},
                                         {"welcome", 1},
                                         {"batches", 2},
                                         {"chunk", 3},
                                         {"heartbeat", 4},
                                         {"ack", 5},
                                         {"getack", 6}});
  ExpectFields(pb::HistoryEntry::descriptor(),
               {{"id", 1}, {"epoch", 2}, {"first_seq", 3}, {"last_seq", 4}, {"open", 5}});
  ExpectFields(pb::Welcome::descriptor(), {{"kind", 1},
                                           {"history", 2},
                                           {"epoch", 3},
                                           {"reason", 4},
                                           {"start_seq", 5},
                                           {"fork_seq", 6},
                                           {"snapshot_seq", 7},
                                           {"primary_last_seq", 8},
                                           {"primary_keys", 9}});
  ExpectFields(pb::Batches::descriptor(),
               {{"first_seq", 1}, {"count", 2}, {"batch", 3}, {"commit_unix_ms", 4}, {"more", 5}});
  ExpectFields(pb::SnapshotChunk::descriptor(), {{"file", 1},
                                                 {"size", 2},
                                                 {"crc32c", 3},
                                                 {"offset", 4},
                                                 {"data", 5},
                                                 {"last", 6},
                                                 {"snapshot_done", 7}});
  ExpectFields(pb::Heartbeat::descriptor(), {{"last_seq", 1}, {"unix_ms", 2}, {"hlc", 3}});
  ExpectFields(pb::Ack::descriptor(),
               {{"applied_seq", 1}, {"synced_seq", 2}, {"unix_ms", 3}, {"getack_id", 4}});
  ExpectFields(pb::GetAck::descriptor(), {{"id", 1}});
}

TEST(ReplProtoTest, WelcomeKindsArePinned) {
  EXPECT_EQ(pb::Welcome::KIND_UNSPECIFIED, 0);
  EXPECT_EQ(pb::Welcome::CONTINUE, 1);
  EXPECT_EQ(pb::Welcome::FULL, 2);
  EXPECT_EQ(pb::Welcome::DIVERGED, 3);
  EXPECT_EQ(pb::Welcome::REFUSE, 4);
}

// A reader of this release skips what a later release adds: unknown fields survive a parse and do
// not disturb the known ones.
TEST(ReplProtoTest, UnknownFieldsAreSkipped) {
  pb::Frame frame;
  frame.set_version(2);
  frame.mutable_ack()->set_applied_seq(42);
  std::string bytes = frame.SerializeAsString();
  bytes += std::string("\xa0\x06\x07", 3);  // field 100, varint 7: not in this release's schema
  pb::Frame parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(parsed.version(), 2u);
  EXPECT_EQ(parsed.ack().applied_seq(), 42u);
}

}  // namespace
}  // namespace sessionkv::replication
