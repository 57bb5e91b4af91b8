// SPDX-License-Identifier: Apache-2.0
#include "storage/key_builder.h"

#include <utility>

namespace sessionkv::storage {

absl::Status CorruptRecord(std::string_view what, std::string_view raw_key) {
  std::string shown;
  for (unsigned char c : raw_key.substr(0, 64)) {
    if (c >= 0x20 && c < 0x7f) {
      shown.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      shown += "\\x";
      shown.push_back(kHex[c >> 4]);
      shown.push_back(kHex[c & 15]);
    }
  }
  return absl::DataLossError(std::string(what) + " at RocksDB key \"" + shown + "\"");
}

void KeyBuilder::Start(const format::ParsedKey& parsed, const format::Meta& meta) {
  meta_key_.assign(parsed.meta_key);
  meta_ = meta;
  elements_ = 0;
  zset_.clear();
  Value value;
  switch (meta.type) {
    case ValueType::kString:
      value = Value(
          StringValue{std::string(meta.string_bytes), static_cast<StringForm>(meta.string_form)});
      break;
    case ValueType::kHash:
      value = Value(HashValue());
      break;
    case ValueType::kSet:
      value = Value(SetValue());
      break;
    case ValueType::kZSet:
      value = Value(ZSetValue());
      break;
    case ValueType::kList:
      value = Value(ListValue());
      break;
  }
  entry_ = std::make_unique<Entry>(parsed.key, Dict::Hash(parsed.key), std::move(value));
  entry_->version_ = meta.version;
  entry_->deadline_ms_ = meta.deadline_ms;
  entry_->access_ = keyspace_.NewAccess(keyspace_.clock().NowMs());
  meta_.string_bytes = {};  // pointed into the caller's record
}

absl::Status KeyBuilder::AddElement(std::string_view sub, std::string_view value) {
  Value& v = entry_->value_;
  switch (meta_.type) {
    case ValueType::kString:
      return absl::DataLossError("element record under a string");
    case ValueType::kHash:
      v.hash().Set(sub, value, limits_.hash);
      break;
    case ValueType::kSet:
      v.set().Add(sub, limits_.set);
      break;
    case ValueType::kZSet: {
      double score;
      if (!format::DecodeScore(value, &score)) return absl::DataLossError("unreadable score");
      zset_.push_back({std::string(sub), score});
      break;
    }
    case ValueType::kList: {
      uint32_t pos;
      if (!format::DecodeListPosition(sub, &pos))
        return absl::DataLossError("unreadable list position");
      if (elements_ == 0) {
        entry_->list_head_ = pos;
      } else if (pos != next_list_pos_) {
        return absl::DataLossError("list positions not contiguous");
      }
      next_list_pos_ = pos + 1;
      v.list().Push(ListValue::End::kTail, value, limits_.list_fill);
      break;
    }
  }
  ++elements_;
  return absl::OkStatus();
}

std::unique_ptr<Entry> KeyBuilder::Finish() {
  std::unique_ptr<Entry> entry = std::move(entry_);
  if (meta_.type == ValueType::kZSet) {
    entry->value_ = Value(ZSetValue::FromEntries(std::move(zset_), limits_.zset));
    zset_.clear();
  }
  if (meta_.type != ValueType::kString && elements_ == 0) return nullptr;
  return entry;
}

}  // namespace sessionkv::storage
