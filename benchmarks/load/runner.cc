// SPDX-License-Identifier: Apache-2.0
#include "benchmarks/load/runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <latch>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "base/strings.h"
#include "clients/errors.h"

namespace sessionkv::bench {

namespace {

using Clock = std::chrono::steady_clock;
using client::Connection;
using client::RespValue;

int64_t UnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A local process's CPU seconds (utime + stime, /proc/<pid>/stat fields 14 and 15), or -1.
double ProcessCpuSeconds(int pid) {
  std::FILE* f = std::fopen(StrCat("/proc/", pid, "/stat").c_str(), "r");
  if (f == nullptr) return -1;
  char buf[1024];
  const size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');  // the command name may hold spaces
  if (p == nullptr) return -1;
  unsigned long long utime = 0, stime = 0;
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return -1;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Its resident bytes (VmRSS of /proc/<pid>/status), or -1.
int64_t ProcessRssBytes(int pid) {
  std::FILE* f = std::fopen(StrCat("/proc/", pid, "/status").c_str(), "r");
  if (f == nullptr) return -1;
  char line[256];
  int64_t kb = -1;
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    if (std::sscanf(line, "VmRSS: %lld kB", reinterpret_cast<long long*>(&kb)) == 1) break;
  }
  std::fclose(f);
  return kb < 0 ? -1 : kb * 1024;
}

uint64_t Ns(Clock::duration d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

// One connection of one pod: its own workload slice, counters the reporter reads every second, and an
// interval histogram it swaps out under a mutex (taken once per request, never contended for long).
struct Worker {
  Worker(const BenchOptions& o, size_t sessions, uint64_t seed) : workload(o.workload, sessions, seed) {}

  Workload workload;
  std::unique_ptr<Connection> conn;
  std::atomic<uint64_t> requests{0}, commands{0}, errors{0};
  uint64_t by_kind[4] = {0, 0, 0, 0};
  std::mutex interval_mu;
  Histogram interval;
  Histogram total;
  uint64_t quota = 0;  // requests to send when the run is by count
  Clock::time_point finished;
};

class Bench {
 public:
  explicit Bench(const BenchOptions& o) : o_(o) {}

  absl::StatusOr<BenchResult> Run(std::ostream& progress);

 private:
  absl::Status Connect(Worker& w);
  absl::Status Populate(Worker& w);
  void Drive(Worker& w, size_t index);
  // Sends `batch` requests (pipelined when more than one) and records each one's latency from its start
  // time in `starts`. False if the connection failed (counted as errors; the worker reconnects).
  bool Execute(Worker& w, std::vector<Request>& batch, const std::vector<Clock::time_point>& starts);
  void Report(std::ostream& out, double at_s, double interval_s, const Histogram& h, uint64_t reqs,
              uint64_t cmds, uint64_t errs);

  const BenchOptions& o_;
  std::vector<std::unique_ptr<Worker>> workers_;
  Clock::time_point start_;
  Clock::time_point end_;  // duration mode
  std::atomic<int> running_{0};
};

absl::Status Bench::Connect(Worker& w) {
  client::ConnectOptions c;
  c.host = o_.host;
  c.port = o_.port;
  c.resp = o_.resp;
  c.db = o_.workload.db;
  auto conn = Connection::Connect(c);
  if (!conn.ok()) return conn.status();
  w.conn = std::move(*conn);
  return absl::OkStatus();
}

// Creates every session of the worker's slice, 64 requests per write (not measured).
absl::Status Bench::Populate(Worker& w) {
  Request r;
  size_t queued = 0;
  for (size_t slot = 0; slot < w.workload.sessions(); ++slot) {
    w.workload.Populate(slot, UnixMs(), &r);
    for (const auto& cmd : r.commands) w.conn->AppendArgv(cmd);
    queued += r.commands.size();
    if (queued >= 256 || slot + 1 == w.workload.sessions()) {
      if (absl::Status s = w.conn->Flush(); !s.ok()) return s;
      for (; queued > 0; --queued) {
        auto reply = w.conn->ReadReply();
        if (!reply.ok()) return reply.status();
        if (reply->type == RespValue::Type::kError) return client::ServerError(reply->str);
      }
    }
  }
  return absl::OkStatus();
}

bool Bench::Execute(Worker& w, std::vector<Request>& batch, const std::vector<Clock::time_point>& starts) {
  Connection& c = *w.conn;
  uint64_t errors = 0, commands = 0;
  std::vector<uint64_t> latencies;
  latencies.reserve(batch.size());
  bool ok = true;
  if (batch.size() == 1) {  // Spring's way: each command waits for its reply before the next is sent
    for (const Command& cmd : batch[0].commands) {
      c.AppendArgv(cmd);
      absl::StatusOr<RespValue> reply = c.Flush().ok() ? c.ReadReply() : absl::StatusOr<RespValue>(c.broken_reason());
      if (!reply.ok()) {
        ok = false;
        break;
      }
      ++commands;
      if (reply->type == RespValue::Type::kError) ++errors;
    }
    if (ok) latencies.push_back(Ns(Clock::now() - starts[0]));
  } else {
    for (const Request& r : batch) {
      for (const Command& cmd : r.commands) c.AppendArgv(cmd);
    }
    ok = c.Flush().ok();
    for (size_t i = 0; ok && i < batch.size(); ++i) {
      for (size_t k = 0; k < batch[i].commands.size(); ++k) {
        absl::StatusOr<RespValue> reply = c.ReadReply();
        if (!reply.ok()) {
          ok = false;
          break;
        }
        ++commands;
        if (reply->type == RespValue::Type::kError) ++errors;
      }
      if (ok) latencies.push_back(Ns(Clock::now() - starts[i]));
    }
  }
  if (!ok) errors += batch.size() - latencies.size();
  {
    std::lock_guard<std::mutex> lock(w.interval_mu);
    for (uint64_t ns : latencies) w.interval.Record(ns);
  }
  for (uint64_t ns : latencies) w.total.Record(ns);
  for (size_t i = 0; i < latencies.size(); ++i) ++w.by_kind[static_cast<int>(batch[i].kind)];
  w.requests.fetch_add(latencies.size(), std::memory_order_relaxed);
  w.commands.fetch_add(commands, std::memory_order_relaxed);
  if (errors) w.errors.fetch_add(errors, std::memory_order_relaxed);
  return ok;
}

void Bench::Drive(Worker& w, size_t index) {
  const size_t depth = static_cast<size_t>(std::max(1, o_.pipeline));
  std::vector<Request> batch;
  std::vector<Clock::time_point> starts;
  uint64_t sent = 0;
  const bool by_count = o_.requests > 0;
  // Open loop: this connection's share of the rate, requests evenly spaced from a random phase.
  const double per_conn_rate = o_.rate / static_cast<double>(workers_.size());
  const auto interval = per_conn_rate > 0 ? std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(1.0 / per_conn_rate))
                                          : Clock::duration::zero();
  std::mt19937_64 rng(o_.seed * 7919 + index);
  Clock::time_point next = start_ + (per_conn_rate > 0 ? Clock::duration(rng() % std::max<int64_t>(1, interval.count()))
                                                       : Clock::duration::zero());
  for (;;) {
    if (by_count ? sent >= w.quota : Clock::now() >= end_) break;
    batch.clear();
    starts.clear();
    if (per_conn_rate > 0) {
      if (Clock::now() < next) std::this_thread::sleep_until(next);
      const auto now = Clock::now();
      if (!by_count && now >= end_) break;
      // Every request whose intended start has passed goes in this batch (up to the pipeline depth).
      while (starts.size() < depth && next <= now && (!by_count || sent + starts.size() < w.quota)) {
        starts.push_back(next);
        next += interval;
      }
    } else {
      const auto now = Clock::now();
      const uint64_t n = by_count ? std::min<uint64_t>(depth, w.quota - sent) : depth;
      starts.assign(n, now);
    }
    batch.resize(starts.size());
    const int64_t unix_ms = UnixMs();
    for (Request& r : batch) w.workload.Next(unix_ms, &r);
    sent += batch.size();
    if (!Execute(w, batch, starts)) {
      // The connection is gone: reconnect (every 100 ms) until the run ends.
      w.conn.reset();
      for (int attempt = 0; !Connect(w).ok(); ++attempt) {
        if (by_count ? attempt >= 50 : Clock::now() >= end_) break;  // by count: give up after 5 s
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (w.conn == nullptr) break;
    }
  }
  w.finished = Clock::now();
}

void Bench::Report(std::ostream& out, double at_s, double interval_s, const Histogram& h, uint64_t reqs,
                   uint64_t cmds, uint64_t errs) {
  char line[256];
  std::snprintf(line, sizeof(line),
                "[%6.1fs] %10.0f requests/s %11.0f commands/s  p50 %7.3f ms  p99 %7.3f ms  p99.9 %7.3f ms  "
                "errors %llu\n",
                at_s, reqs / interval_s, cmds / interval_s, h.Percentile(0.5) / 1e6, h.Percentile(0.99) / 1e6,
                h.Percentile(0.999) / 1e6, static_cast<unsigned long long>(errs));
  out << line << std::flush;
}

absl::StatusOr<BenchResult> Bench::Run(std::ostream& progress) {
  const size_t n = static_cast<size_t>(o_.pods) * static_cast<size_t>(o_.connections_per_pod);
  if (n == 0) return absl::InvalidArgumentError("need at least one pod and one connection");
  if (o_.sessions < n) return absl::InvalidArgumentError("need at least one session per connection");
  for (size_t i = 0; i < n; ++i) {
    // Slice i of the population: sessions are split as evenly as the division allows.
    const size_t slice = o_.sessions / n + (i < o_.sessions % n ? 1 : 0);
    auto w = std::make_unique<Worker>(o_, slice, o_.seed * 1000003 + i);
    w->quota = o_.requests / n + (i < o_.requests % n ? 1 : 0);
    if (absl::Status s = Connect(*w); !s.ok()) return s;
    workers_.push_back(std::move(w));
  }
  if (o_.populate) {
    std::vector<std::thread> threads;
    std::vector<absl::Status> status(n);
    for (size_t i = 0; i < n; ++i) threads.emplace_back([&, i] { status[i] = Populate(*workers_[i]); });
    for (auto& t : threads) t.join();
    for (const absl::Status& s : status) {
      if (!s.ok()) return absl::Status(s.code(), StrCat("populating the sessions: ", s.message()));
    }
  }

  std::latch ready(static_cast<std::ptrdiff_t>(n) + 1);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n; ++i) {
    threads.emplace_back([this, i, &ready] {
      ready.arrive_and_wait();
      Drive(*workers_[i], i);
      running_.fetch_sub(1);
    });
  }
  running_ = static_cast<int>(n);
  const double cpu_at_start = o_.server_pid > 0 ? ProcessCpuSeconds(o_.server_pid) : -1;
  start_ = Clock::now() + std::chrono::milliseconds(20);
  end_ = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.duration_s));
  ready.arrive_and_wait();

  // Progress: one line per second from the interval histograms, while any worker runs.
  uint64_t last_reqs = 0, last_cmds = 0, last_errs = 0;
  Clock::time_point last = start_;
  for (int tick = 1; running_.load() > 0; ++tick) {
    const auto wake = start_ + std::chrono::seconds(tick);
    while (running_.load() > 0 && Clock::now() < wake) {
      std::this_thread::sleep_for(std::min<Clock::duration>(wake - Clock::now(), std::chrono::milliseconds(50)));
    }
    if (running_.load() == 0) break;
    Histogram h;
    uint64_t reqs = 0, cmds = 0, errs = 0;
    for (auto& w : workers_) {
      {
        std::lock_guard<std::mutex> lock(w->interval_mu);
        h.Merge(w->interval);
        w->interval.Reset();
      }
      reqs += w->requests.load();
      cmds += w->commands.load();
      errs += w->errors.load();
    }
    const auto now = Clock::now();
    if (o_.progress) {
      Report(progress, std::chrono::duration<double>(now - start_).count(),
             std::chrono::duration<double>(now - last).count(), h, reqs - last_reqs, cmds - last_cmds,
             errs - last_errs);
    }
    last = now;
    last_reqs = reqs;
    last_cmds = cmds;
    last_errs = errs;
  }
  for (auto& t : threads) t.join();

  BenchResult r;
  Clock::time_point finished = start_;
  for (auto& w : workers_) {
    r.requests += w->requests.load();
    r.commands += w->commands.load();
    r.errors += w->errors.load();
    for (int k = 0; k < 4; ++k) r.requests_by_kind[k] += w->by_kind[k];
    r.latency.Merge(w->total);
    finished = std::max(finished, w->finished);
  }
  r.seconds = std::chrono::duration<double>(finished - start_).count();
  if (cpu_at_start >= 0) {
    const double cpu_at_end = ProcessCpuSeconds(o_.server_pid);
    if (cpu_at_end >= 0) r.server_cpu_s = cpu_at_end - cpu_at_start;
    r.server_rss = ProcessRssBytes(o_.server_pid);
  }
  return r;
}

}  // namespace

absl::StatusOr<BenchResult> RunBench(const BenchOptions& options, std::ostream& progress) {
  Bench bench(options);
  return bench.Run(progress);
}

void PrintResult(const BenchOptions& o, const BenchResult& r, std::ostream& out) {
  const double secs = r.seconds > 0 ? r.seconds : 1;
  char buf[512];
  std::snprintf(buf, sizeof(buf),
                "%llu requests (access %llu, new %llu, login %llu, logout %llu), %llu commands in %.2f s\n"
                "throughput: %.1f requests/s, %.1f commands/s; errors %llu\n"
                "latency per request (ms): p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f%s\n",
                static_cast<unsigned long long>(r.requests),
                static_cast<unsigned long long>(r.requests_by_kind[0]),
                static_cast<unsigned long long>(r.requests_by_kind[1]),
                static_cast<unsigned long long>(r.requests_by_kind[2]),
                static_cast<unsigned long long>(r.requests_by_kind[3]),
                static_cast<unsigned long long>(r.commands), secs, r.requests / secs, r.commands / secs,
                static_cast<unsigned long long>(r.errors), r.latency.Percentile(0.5) / 1e6,
                r.latency.Percentile(0.9) / 1e6, r.latency.Percentile(0.99) / 1e6,
                r.latency.Percentile(0.999) / 1e6, r.latency.max() / 1e6, r.latency.mean() / 1e6,
                o.rate > 0 ? " (from intended start: coordinated omission corrected)" : "");
  out << buf;
  if (r.server_cpu_s >= 0) {
    std::snprintf(buf, sizeof(buf), "server (pid %d): %.2f CPU seconds, %.2f per million requests, %lld bytes resident\n",
                  o.server_pid, r.server_cpu_s, r.requests ? r.server_cpu_s * 1e6 / r.requests : 0,
                  static_cast<long long>(r.server_rss));
    out << buf;
  }
  std::snprintf(buf, sizeof(buf),
                "RESULT rps=%.1f cps=%.1f p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%llu "
                "requests=%llu seconds=%.3f server_cpu_s=%.3f server_rss=%lld\n",
                r.requests / secs, r.commands / secs, r.latency.Percentile(0.5) / 1e6,
                r.latency.Percentile(0.99) / 1e6, r.latency.Percentile(0.999) / 1e6, r.latency.max() / 1e6,
                static_cast<unsigned long long>(r.errors), static_cast<unsigned long long>(r.requests), secs,
                r.server_cpu_s, static_cast<long long>(r.server_rss));
  out << buf << std::flush;
}

}  // namespace sessionkv::bench
