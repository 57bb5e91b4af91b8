// SPDX-License-Identifier: Apache-2.0
// EVAL's Lua 5.1 interpreter: one sandboxed Lua state for the server, the script cache (SHA-1 -> compiled
// function), redis.call/pcall running commands on the caller's behalf, and SCRIPT KILL.
//
// A script runs with every shard locked (EVAL's LockScope::kAllShards), so it is atomic as in Redis, and
// the commands it calls run through CallCommand with the locks held. The Lua state has its own mutex, taken
// after the shard locks (SCRIPT LOAD/EXISTS/FLUSH take it alone), so the lock order stays global.
//
// The sandbox follows Redis 7.2: base (without dofile, loadfile, print, getfenv, setfenv, module,
// require), table, string, math, os (clock only), cjson and bit; globals and library tables are read-only
// ("Attempt to modify a readonly table"), reading an undefined global is an error. Not provided: cmsgpack
// and struct (Debian packages neither for Lua 5.1), the script debugger (SCRIPT DEBUG), FUNCTION.
//
// A script that runs long blocks the other clients of its I/O thread, and clients of other threads wait
// for the shard locks; Redis instead answers them -BUSY. SCRIPT KILL from another I/O thread stops a
// script that has not written yet.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"

struct lua_State;

namespace sessionkv::server {

class CommandContext;
struct ClientInfo;

// One EVAL/EVALSHA call.
struct ScriptCall {
  std::string sha;                      // 40 lowercase hex digits
  std::string_view body;                // EVAL's script
  bool by_sha = false;                  // EVALSHA: run the cached script or answer NOSCRIPT
  std::vector<std::string_view> keys;   // KEYS
  std::vector<std::string_view> argv;   // ARGV
  bool read_only = false;               // EVAL_RO / EVALSHA_RO
};

class ScriptEngine {
 public:
  ScriptEngine();
  ~ScriptEngine();
  ScriptEngine(const ScriptEngine&) = delete;
  ScriptEngine& operator=(const ScriptEngine&) = delete;

  // The lowercase hex SHA-1 of `body`, the script's name in the cache.
  static std::string Sha1Hex(std::string_view body);

  // SCRIPT LOAD: compiles and caches `body`; its SHA-1, or the error reply text of a compile error.
  absl::StatusOr<std::string> Load(std::string_view body);
  // SCRIPT EXISTS for one SHA-1 (any case).
  bool Exists(std::string_view sha);
  // SCRIPT FLUSH: forgets every script and starts a fresh Lua state.
  void Flush();
  // Runs `call` for the client of `ctx` and writes the script's reply (or error) to ctx's reply.
  void Eval(CommandContext& ctx, const ScriptCall& call);

  enum class KillResult { kNotBusy, kUnkillable, kKilled };
  // SCRIPT KILL: asks the running script to stop; callable from any thread.
  KillResult Kill();

  // For INFO memory (number_of_cached_scripts, used_memory_lua): as of the last script or SCRIPT command,
  // so INFO never waits for a running script.
  size_t cached_scripts() const { return cached_scripts_.load(std::memory_order_relaxed); }
  size_t lua_memory() const { return lua_memory_.load(std::memory_order_relaxed); }

  struct Run;  // the script being run (script_engine.cc)

 private:
  friend class ScriptEngineAccess;
  void EnsureState();
  void CloseState();
  // Refreshes cached_scripts_ and lua_memory_ (mu_ held).
  void UpdateStats();
  // Load with mu_ held and the state open.
  absl::StatusOr<std::string> Compile(std::string_view body);
  // Pushes the cached function for `sha`, compiling `body` first if needed; false after writing the error.
  bool PushFunction(CommandContext& ctx, const ScriptCall& call);

  std::mutex mu_;  // guards the Lua state, the cache and run_
  lua_State* lua_ = nullptr;
  absl::flat_hash_set<std::string> scripts_;  // SHA-1s whose function is in the registry
  std::shared_ptr<ClientInfo> lua_client_;     // the client MONITOR and the slow log show for redis.call
  Run* run_ = nullptr;
  std::atomic<bool> running_{false};
  std::atomic<bool> wrote_{false};
  std::atomic<bool> kill_requested_{false};
  std::atomic<size_t> cached_scripts_{0};
  std::atomic<size_t> lua_memory_{0};
};

}  // namespace sessionkv::server
