// SPDX-License-Identifier: Apache-2.0
// What one key costs in sessionkv's keyspace, part by part (benchmarks/README.md, issue 3 memory section).
//
// Builds the keyspace the server builds (16 databases, 16 shards) and adds --keys keys in three steps,
// reading glibc's bytes-in-use (mallinfo2 uordblks, which includes each chunk's 8-byte header) after each:
//   1. the key with an empty string value and no deadline: Entry + key bytes + the dict's bucket share;
//   2. a deadline on every key (PEXPIRE 1800000 as Spring sends it): the expiry btree's share;
//   3. a --value-bytes string value: the value's own allocation.
// The layout figures (sizeof, usable sizes) are printed beside, so each measured step can be explained.
//
//   build/bin/key_cost [keys] [key-bytes] [value-bytes]     (defaults 100000 60 1024)
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "storage/clock.h"
#include "storage/keyspace.h"

namespace {

using sessionkv::storage::Db;
using sessionkv::storage::Entry;
using sessionkv::storage::FakeClock;
using sessionkv::storage::Keyspace;
using sessionkv::storage::MutationSink;
using sessionkv::storage::Value;

size_t BytesInUse() { return mallinfo2().uordblks; }

// Keys shaped like spring:session:sessions:<uuid>, padded or cut to `len` bytes.
std::vector<std::string> MakeKeys(size_t n, size_t len) {
  std::vector<std::string> keys;
  keys.reserve(n);
  char uuid[40];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(uuid, sizeof(uuid), "%08zx-%04zx-4%03zx-8%03zx-%012zx", i * 2654435761u % 0xffffffffu,
                  i & 0xffff, i % 0xfff, (i * 7) % 0xfff, i * 11400714819323198485ull % 0xffffffffffffull);
    std::string key = "spring:session:sessions:" + std::string(uuid);
    key.resize(len, 'x');
    keys.push_back(std::move(key));
  }
  return keys;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  const size_t key_bytes = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 60;
  const size_t value_bytes = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1024;

  FakeClock clock;
  Keyspace keyspace(16, 16, &clock);  // as server/main.cc: 16 databases (the default) over 16 shards
  MutationSink sink(/*recording=*/false);  // memory only, as with appendonly no
  Db db(keyspace, 0, &sink);
  const std::vector<std::string> keys = MakeKeys(n, key_bytes);
  std::vector<Entry*> entries;
  entries.reserve(n);

  const size_t base = BytesInUse();
  for (const std::string& k : keys) entries.push_back(db.Add(k, Value::String("")));
  const size_t after_keys = BytesInUse();
  // Deadlines grow with time as the sessions are written; one per key, 1 ms apart.
  for (size_t i = 0; i < n; ++i) db.SetDeadline(entries[i], clock.NowMs() + 1'800'000 + static_cast<int64_t>(i));
  const size_t after_deadlines = BytesInUse();
  const std::string value(value_bytes, 'v');
  for (size_t i = 0; i < n; ++i) db.Replace(entries[i], Value::String(value));
  const size_t after_values = BytesInUse();

  size_t buckets = 0;
  for (int s = 0; s < keyspace.num_shards(); ++s) buckets += keyspace.shard(s).db(0).dict.bucket_count();

  const double per = static_cast<double>(n);
  std::printf("keys %zu, key %zu bytes, value %zu bytes\n", n, key_bytes, value_bytes);
  std::printf("layout: sizeof(Entry) %zu (sizeof(Value) %zu), Entry chunk %zu, key chunk %zu, value chunk %zu\n",
              sizeof(Entry), sizeof(Value), malloc_usable_size(entries[0]) + 8,
              key_bytes > 15 ? malloc_usable_size(const_cast<char*>(entries[0]->key.data())) + 8 : 0,
              value_bytes > 15 ? malloc_usable_size(const_cast<char*>(entries[0]->value().string().bytes.data())) + 8 : 0);
  std::printf("dict buckets: %zu over 16 shards, %.1f bytes per key\n", buckets, 8.0 * buckets / per);
  std::printf("measured per key: key+entry+dict %.1f, expiry index %.1f, value %.1f, total %.1f bytes\n",
              (after_keys - base) / per, (after_deadlines - after_keys) / per,
              (after_values - after_deadlines) / per, (after_values - base) / per);
  return 0;
}
