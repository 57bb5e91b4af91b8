// SPDX-License-Identifier: Apache-2.0
// The protocol layer's hot paths: parsing pipelined requests and writing replies (RESP2 and RESP3).
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "protocol/reply_writer.h"
#include "protocol/resp_parser.h"
#include "protocol/resp_value.h"

namespace sessionkv::protocol {
namespace {

// 16 requests of one shape, as redis-benchmark -P 16 sends them.
std::string Pipelined(const std::vector<std::string_view>& args, int n = 16) {
  std::string out;
  for (int i = 0; i < n; ++i) out += EncodeCommand(args);
  return out;
}

void ParseAll(benchmark::State& state, const std::string& input, int requests) {
  RequestParser parser;
  for (auto _ : state) {
    std::string_view in = input;
    while (!in.empty()) {
      if (parser.Parse(in) != ParseResult::kRequest) state.SkipWithError("parse failed");
      benchmark::DoNotOptimize(parser.args().data());
      in.remove_prefix(parser.consumed());
      parser.Reset();
    }
  }
  state.SetItemsProcessed(state.iterations() * requests);
  state.SetBytesProcessed(state.iterations() * input.size());
}

void BM_ParseGet(benchmark::State& state) {
  ParseAll(state, Pipelined({"GET", "key:000000012345"}), 16);
}
BENCHMARK(BM_ParseGet);

void BM_ParseSet(benchmark::State& state) {
  const std::string value(64, 'x');  // redis-benchmark -d 64
  ParseAll(state, Pipelined({"SET", "key:000000012345", value}), 16);
}
BENCHMARK(BM_ParseSet);

void BM_ParseHsetSession(benchmark::State& state) {
  // Spring's access: HMSET of lastAccessedTime, an 82-byte serialized Long.
  const std::string jdk_long(82, '\x05');
  ParseAll(state, Pipelined({"HMSET", "spring:session:sessions:6f1c0c5e-9a7e-4b59-8d8b-2f4f6bb1a0a1",
                             "lastAccessedTime", jdk_long}),
           16);
}
BENCHMARK(BM_ParseHsetSession);

// Replies of GET (a 64-byte bulk), HGETALL of a 5-field session (a map) and a counter, per version.
void BM_WriteBulk(benchmark::State& state) {
  const RespVersion v = static_cast<RespVersion>(state.range(0));
  const std::string value(64, 'x');
  std::string out;
  for (auto _ : state) {
    out.clear();
    ReplyWriter w(&out, v);
    for (int i = 0; i < 16; ++i) w.Bulk(value);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 16);
}
BENCHMARK(BM_WriteBulk)->Arg(2)->Arg(3);

void BM_WriteSessionMap(benchmark::State& state) {
  const RespVersion v = static_cast<RespVersion>(state.range(0));
  const std::string names[] = {"creationTime", "maxInactiveInterval", "lastAccessedTime",
                               "sessionAttr:SPRING_SECURITY_CONTEXT", "sessionAttr:x"};
  const std::string values[] = {std::string(82, 'a'), std::string(81, 'b'), std::string(82, 'c'),
                                std::string(663, 'd'), std::string(21, 'e')};
  std::string out;
  for (auto _ : state) {
    out.clear();
    ReplyWriter w(&out, v);
    w.MapHeader(5);
    for (int i = 0; i < 5; ++i) {
      w.Bulk(names[i]);
      w.Bulk(values[i]);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WriteSessionMap)->Arg(2)->Arg(3);

void BM_WriteIntegerAndOk(benchmark::State& state) {
  const RespVersion v = static_cast<RespVersion>(state.range(0));
  std::string out;
  int64_t n = 1700000000000;
  for (auto _ : state) {
    out.clear();
    ReplyWriter w(&out, v);
    for (int i = 0; i < 8; ++i) {
      w.Integer(n++);
      w.Ok();
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 16);
}
BENCHMARK(BM_WriteIntegerAndOk)->Arg(2)->Arg(3);

void BM_WriteDoubleResp3(benchmark::State& state) {
  std::string out;
  double d = 1.702402961162E12;
  for (auto _ : state) {
    out.clear();
    ReplyWriter w(&out, RespVersion::kResp3);
    w.Double(d);
    d += 0.5;
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_WriteDoubleResp3);

}  // namespace
}  // namespace sessionkv::protocol
