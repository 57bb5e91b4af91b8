// SPDX-License-Identifier: Apache-2.0
#include "storage/mutation.h"

#include "rocksdb/write_batch.h"
#include "storage/rocks_format.h"

namespace sessionkv::storage {

namespace {

// Small lists are cheaper as point deletes; long runs (LTRIM of a long list) as one range tombstone.
constexpr size_t kRangeDeleteMin = 16;

}  // namespace

MutationSink::MutationSink(bool recording)
    : recording_(recording), batch_(std::make_unique<rocksdb::WriteBatch>()) {}

MutationSink::~MutationSink() = default;

uint32_t MutationSink::records() const { return batch_->Count(); }

void MutationSink::Clear() {
  // A batch (or the value scratch) that once held a whole large key keeps its buffer (clearing keeps the
  // capacity): the sink is reused by every command of its thread, so give a buffer past 256 KB back.
  constexpr size_t kKeep = 256u << 10;
  if (batch_->Data().capacity() > kKeep) {
    batch_ = std::make_unique<rocksdb::WriteBatch>();
  } else {
    batch_->Clear();
  }
  if (value_buf_.capacity() > kKeep) std::string().swap(value_buf_);
}

std::string& MutationSink::Scratch() {
  key_buf_.clear();
  return key_buf_;
}

void MutationSink::PutMeta(uint32_t pdb, const Entry& e) {
  if (!recording_) return;
  std::string& key = Scratch();
  format::AppendMetaKey(&key, pdb, e.key);
  value_buf_.clear();
  const Value& v = e.value();
  if (v.is_string()) {
    format::AppendStringMeta(&value_buf_, e.version(), e.deadline_ms(),
                             static_cast<uint8_t>(v.string().form), v.string().bytes);
  } else {
    format::AppendMeta(&value_buf_, v.type(), e.version(), e.deadline_ms());
  }
  batch_->Put(key, value_buf_);
}

void MutationSink::PutKey(uint32_t pdb, const Entry& e) {
  if (!recording_) return;
  PutMeta(pdb, e);
  PutElements(pdb, e);
}

void MutationSink::PutElements(uint32_t pdb, const Entry& e) {
  const Value& v = e.value();
  switch (v.type()) {
    case ValueType::kString:
      break;
    case ValueType::kHash:
      v.hash().ForEach([&](std::string_view f, std::string_view val) { PutHashField(pdb, e, f, val); });
      break;
    case ValueType::kSet:
      v.set().ForEach([&](std::string_view m) { PutSetMember(pdb, e, m); });
      break;
    case ValueType::kZSet:
      for (ZSetValue::Cursor c = v.zset().First(); c.valid(); c.Next()) {
        PutZSetMember(pdb, e, c.member(), c.score());
      }
      break;
    case ValueType::kList: {
      if (v.list().empty()) break;
      uint32_t pos = e.list_head();
      v.list().Visit(0, /*reverse=*/false, [&](std::string_view elem) {
        PutListElement(pdb, e, pos++, elem);
        return true;
      });
      break;
    }
  }
}

void MutationSink::DeleteKey(uint32_t pdb, const Entry& e, bool expired) {
  if (!recording_) return;
  if (expired) batch_->PutLogData(format::ExpiredAnnotation(pdb, e.key));
  std::string& k = Scratch();
  format::AppendMetaKey(&k, pdb, e.key);
  batch_->Delete(k);
  if (!e.value().is_string()) DeleteElements(pdb, e.key);
}

void MutationSink::DeleteElements(uint32_t pdb, std::string_view key) {
  if (!recording_) return;
  std::string& begin = Scratch();
  value_buf_.clear();
  format::AppendElementsRange(&begin, &value_buf_, pdb, key);
  batch_->DeleteRange(begin, value_buf_);
}

void MutationSink::PutHashField(uint32_t pdb, const Entry& e, std::string_view field,
                                std::string_view value) {
  if (!recording_) return;
  std::string& key = Scratch();
  format::AppendElementPrefix(&key, pdb, e.key, e.version());
  key.append(field);
  batch_->Put(key, rocksdb::Slice(value.data(), value.size()));
}

void MutationSink::PutSetMember(uint32_t pdb, const Entry& e, std::string_view member) {
  PutHashField(pdb, e, member, {});
}

void MutationSink::PutZSetMember(uint32_t pdb, const Entry& e, std::string_view member, double score) {
  if (!recording_) return;
  value_buf_.clear();
  format::AppendScore(&value_buf_, score);
  std::string& key = Scratch();
  format::AppendElementPrefix(&key, pdb, e.key, e.version());
  key.append(member);
  batch_->Put(key, value_buf_);
}

void MutationSink::DeleteElement(uint32_t pdb, const Entry& e, std::string_view sub) {
  if (!recording_) return;
  std::string& key = Scratch();
  format::AppendElementPrefix(&key, pdb, e.key, e.version());
  key.append(sub);
  batch_->Delete(key);
}

void MutationSink::PutListElement(uint32_t pdb, const Entry& e, uint32_t pos, std::string_view value) {
  if (!recording_) return;
  std::string& key = Scratch();
  format::AppendElementPrefix(&key, pdb, e.key, e.version());
  format::AppendListPosition(&key, pos);
  batch_->Put(key, rocksdb::Slice(value.data(), value.size()));
}

void MutationSink::DeleteListElements(uint32_t pdb, const Entry& e, uint32_t first, size_t n) {
  if (!recording_ || n == 0) return;
  std::string& key = Scratch();
  format::AppendElementPrefix(&key, pdb, e.key, e.version());
  const size_t prefix = key.size();
  if (n < kRangeDeleteMin) {
    for (size_t i = 0; i < n; ++i) {
      key.resize(prefix);
      format::AppendListPosition(&key, first + static_cast<uint32_t>(i));
      batch_->Delete(key);
    }
    return;
  }
  std::string end = key;
  format::AppendListPosition(&key, first);
  // The positions are contiguous and within u32 (the keyspace rebases a list before they wrap), so
  // first + n fits unless the range ends exactly at the top, where the prefix's successor bounds it.
  const uint64_t last = static_cast<uint64_t>(first) + n;
  if (last <= UINT32_MAX) {
    format::AppendListPosition(&end, static_cast<uint32_t>(last));
  } else {
    format::AppendListPosition(&end, UINT32_MAX);
    end.push_back('\0');
  }
  batch_->DeleteRange(key, end);
}

void MutationSink::DeleteDb(uint32_t pdb) {
  if (!recording_) return;
  batch_->DeleteRange(format::DbBegin(pdb), format::DbEnd(pdb));
}

void MutationSink::DeleteAllDbs() {
  if (!recording_) return;
  batch_->DeleteRange(format::AllDataBegin(), format::AllDataEnd());
}

void MutationSink::PutDbMap(const std::vector<uint32_t>& map) {
  if (!recording_) return;
  batch_->Put(format::kDbMapRecord, format::EncodeDbMap(map));
}

void MutationSink::PutVersionLease(uint64_t lease) {
  if (!recording_) return;
  value_buf_.clear();
  format::AppendU64LE(&value_buf_, lease);
  batch_->Put(format::kVersionLeaseRecord, value_buf_);
}

}  // namespace sessionkv::storage
