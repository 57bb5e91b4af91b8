// SPDX-License-Identifier: Apache-2.0
// sessionkv-server [config-file] [--directive value ...] [-]
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "base/strings.h"
#include "server/acl.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/http_endpoint.h"
#include "server/log.h"
#include "server/memory.h"
#include "server/persistence.h"
#include "server/replication.h"
#include "server/server.h"
#include "server/server_state.h"
#include "server/tls.h"
#include "server/version.h"
#include "storage/clock.h"
#include "storage/keyspace.h"

namespace sessionkv::server {
namespace {

// Redis raises the open-files limit to maxclients + 32 (listeners, logs, data files) when it can, and warns
// when the hard limit is lower, so that `maxclients` means what it says.
void RaiseOpenFilesLimit(int64_t maxclients) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t want = static_cast<rlim_t>(maxclients) + 32;
  if (limit.rlim_cur >= want) return;
  limit.rlim_cur = std::min(want, limit.rlim_max);
  setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < want) {
    Log(LogLevel::kWarning, StrCat("You requested maxclients of ", maxclients, " requiring at least ", want,
                                   " max file descriptors, but the hard limit is ", limit.rlim_max, "."));
  }
}

// Shards of the keyspace. More shards than threads keeps lock contention low with several I/O threads and
// keeps each table's rehash short; whole-database commands take all 16 locks, which costs well under 1 µs.
constexpr int kShards = 16;

// Redis's ACLLoadUsersAtStartup: users come from `user` lines or from the aclfile, never both.
absl::Status LoadAclUsers(const Config& config, Acl& acl) {
  const std::string aclfile = config.aclfile();
  if (!aclfile.empty() && !config.users().empty()) {
    return absl::FailedPreconditionError(
        "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is "
        "invalid. This setup is very likely to lead to configuration errors and security holes, please "
        "define either an ACL file or declare users directly in your redis.conf, but not both.");
  }
  if (absl::Status status = acl.LoadConfigUsers(config.users()); !status.ok()) {
    Log(LogLevel::kWarning, status.message());
    return absl::FailedPreconditionError("Critical error while loading ACLs. Exiting.");
  }
  if (aclfile.empty()) return absl::OkStatus();
  std::vector<std::shared_ptr<AclUser>> replaced;
  if (absl::Status status = acl.LoadFile(config.PathInDir(aclfile), aclfile, &replaced); !status.ok()) {
    return absl::FailedPreconditionError(
        ToAbsl(StrCat("Aborting Redis startup because of ACL errors: ", FromAbsl(status.message()))));
  }
  return absl::OkStatus();
}

int RunServer(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (auto text = Config::EarlyExitText(args)) {
    std::fputs(text->c_str(), stdout);
    return 0;
  }
  // The table comes first so that rename-command lines are checked against real command names, with
  // Redis's error text and line number.
  CommandTable commands;
  RegisterAllCommands(commands);
  Config config;
  std::vector<std::string> names;
  commands.ForEach([&names](const CommandSpec& spec) { names.push_back(spec.name); });
  config.SetCommandNames(std::move(names));
  if (absl::Status status = config.LoadFromArgs(args); !status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    return 1;
  }
  // Redis chdir()s into `dir`, so a relative logfile lives there.
  LogInit(config.loglevel(), config.logfile().empty() ? "" : config.PathInDir(config.logfile()));
  SetLogFormat(config.log_format(), config.log_timestamp_format());
  config.OnChange("loglevel", [&config] { SetLogLevel(config.loglevel()); });
  const auto apply_log_format = [&config] {
    SetLogFormat(config.log_format(), config.log_timestamp_format());
  };
  config.OnChange("log-format", apply_log_format);
  config.OnChange("log-timestamp-format", apply_log_format);
  Log(LogLevel::kNotice, "oO0OoO0OoO0Oo sessionkv is starting oO0OoO0OoO0Oo");
  Log(LogLevel::kNotice, StrCat("sessionkv version=", kSessionkvVersion, " (Redis ", kRedisVersion,
                                      " compatible), bits=64, pid=", getpid(), ", just started"));
  Log(LogLevel::kNotice, config.config_file().empty()
                             ? std::string("No config file specified, using the default config.")
                             : StrCat("Configuration loaded from ", config.config_file()));
  Log(LogLevel::kNotice, StrCat("Data directory: ", config.dir()));

  RaiseOpenFilesLimit(config.maxclients());
  storage::SystemClock clock;
  storage::Keyspace keyspace(config.databases(), kShards, &clock);
  for (const auto& [from, to] : config.renamed_commands()) commands.Rename(from, to);

  ServerState state(config, keyspace, commands, clock);
  state.io_threads = config.io_threads();
  if (absl::Status status = LoadAclUsers(config, state.acl); !status.ok()) {
    Log(LogLevel::kWarning, status.message());
    return 1;
  }
  config.OnChange("slowlog-max-len", [&state, &config] { state.slowlog.Trim(config.slowlog_max_len()); });
  // Redis's warnings about maxmemory (main() and updateMaxmemory): a limit below what is used evicts
  // keys or refuses writes at once (server/eviction.h), so an operator should know.
  if (config.maxmemory() > 0 && config.maxmemory() < 1024 * 1024) {
    Log(LogLevel::kWarning,
        StrCat("WARNING: You specified a maxmemory value that is less than 1MB (current value is ",
               config.maxmemory(), " bytes). Are you sure this is what you really want?"));
  }
  config.OnChange("maxmemory", [&config] {
    const uint64_t used = UsedMemory();
    if (config.maxmemory() > 0 && static_cast<uint64_t>(config.maxmemory()) < used) {
      Log(LogLevel::kWarning,
          StrCat("WARNING: the new maxmemory value set via CONFIG SET (", config.maxmemory(),
                 ") is smaller than the current memory usage (", used,
                 "). This will result in key eviction and/or the inability to accept new write "
                 "commands depending on the maxmemory-policy."));
    }
  });
  std::error_code ec;
  state.executable = std::filesystem::canonical("/proc/self/exe", ec).string();
  // Before the Server: its connections and timers commit into the engine.
  if (absl::Status status = OpenPersistence(state); !status.ok()) {
    Log(LogLevel::kWarning, StrCat("Fatal error opening the data directory: ", status.message()));
    return 1;
  }
  Server server(state);
  state.request_shutdown = [&server](ShutdownRequest request) { server.RequestShutdown(std::move(request)); };
  // Redis's applyPort, applyBind (every listener), applyTLSPort and applyTlsCfg.
  config.OnApply("port", [&server] { return server.Rebind(/*tcp=*/true, /*tls=*/false); });
  config.OnApply("tls-port", [&server] { return server.Rebind(/*tcp=*/false, /*tls=*/true); });
  config.OnApply("bind", [&server] { return server.Rebind(/*tcp=*/true, /*tls=*/true); });
  for (const std::string_view name :
       {"tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-ca-cert-file", "tls-ca-cert-dir",
        "tls-dh-params-file", "tls-protocols", "tls-ciphers", "tls-ciphersuites", "tls-prefer-server-ciphers",
        "tls-session-caching", "tls-session-cache-size", "tls-session-cache-timeout"}) {
    config.OnApply(name, [&server] { return server.ReconfigureTls(); });
  }
  config.OnApply("tls-replication", [&config] { return CheckReplicationTls(config); });
  if (absl::Status status = server.Listen(); !status.ok()) {
    Log(LogLevel::kWarning, status.message());
    return 1;
  }
  HttpEndpoint endpoint(state);
  if (absl::Status status = endpoint.Start(); !status.ok()) {
    Log(LogLevel::kWarning, status.message());
    return 1;
  }
  const int port = config.port() != 0 ? config.port() : config.tls_port();
  Log(LogLevel::kNotice, StrCat("Running mode=standalone, port=", port, "."));
  Log(LogLevel::kNotice, StrCat("Server initialized: port ", config.port(), ", tls-port ", config.tls_port(),
                                ", ", config.io_threads(), " I/O thread(s), ", config.databases(),
                                " databases, dir ", config.dir()));
  std::string http;
  for (const std::string& a : endpoint.addresses()) StrAppend(&http, http.empty() ? "" : " ", "http://", a);
  Log(LogLevel::kNotice, http.empty() ? std::string("Metrics and health endpoint disabled (metrics-port 0)")
                                      : StrCat("Metrics and health endpoint: ", http,
                                               " (/metrics /healthz /readyz)"));
  if (absl::Status status = state.replication->Start(); !status.ok()) {
    Log(LogLevel::kWarning, StrCat("Fatal error starting replication: ", status.message()));
    return 1;
  }
  const std::vector<std::string> primary = config.replicaof();
  if (!primary.empty() && primary.size() != 2) {
    Log(LogLevel::kWarning, "Fatal config error: replicaof takes <host> <port>");
    return 1;
  }
  if (!state.replication->enabled()) {
    Log(LogLevel::kNotice, primary.empty() ? "Replication: off (appendonly no)"
                                           : "Replication: replicaof ignored, it needs appendonly yes");
  } else {
    Log(LogLevel::kNotice, primary.empty() ? StrCat("Replication: role master, history ", state.replication->history_id())
                                           : StrCat("Replication: role replica of ", primary[0], ":", primary[1]));
  }
  if (config.port() != 0) Log(LogLevel::kNotice, "Ready to accept connections tcp");
  if (config.tls_port() != 0) Log(LogLevel::kNotice, "Ready to accept connections tls");
  // Clients connect while the data loads; they get -LOADING until it is in memory, as with Redis.
  // A replica connects to its primary once its own data is in memory (it resumes from there).
  std::thread loading = StartLoading(state, [&state] { state.replication->StartLink(); });
  server.Run();
  if (loading.joinable()) loading.join();  // before the hooks: the persistence hook closes RocksDB
  state.replication->Stop();
  return FinishShutdown(state.shutdown_hooks, server.shutdown_request());
}

}  // namespace
}  // namespace sessionkv::server

int main(int argc, char** argv) { return sessionkv::server::RunServer(argc, argv); }
