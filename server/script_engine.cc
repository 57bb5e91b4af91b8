// SPDX-License-Identifier: Apache-2.0
#include "server/script_engine.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include <lua-bitop.h>
#include <lua-cjson.h>
}

#include <openssl/sha.h>

#include <cstdio>
#include <ctime>

#include "absl/strings/str_format.h"
#include "base/strings.h"
#include "protocol/resp_value.h"
#include "server/acl.h"
#include "server/command_context.h"
#include "server/config.h"
#include "server/dispatcher.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/lua_values.h"
#include "server/replication.h"
#include "server/version.h"

namespace sessionkv::server {

// The script being run: what redis.call needs to run commands on the caller's behalf.
struct ScriptEngine::Run {
  ScriptEngine& engine;
  CommandContext& caller;
  const ScriptCall& call;
  ClientState client;  // the script's own client: its SELECTed db, RESP version, never blocking
  bool resp3 = false;  // redis.setresp(3)
};

namespace {

constexpr const char* kEngineKey = "sessionkv.engine";  // registry: the ScriptEngine (light userdata)
constexpr const char* kEnvKey = "sessionkv.env";        // registry: the read-only global environment
constexpr int kKillCheckInstructions = 100000;          // how often the hook looks for SCRIPT KILL

std::string FunctionKey(std::string_view sha) { return StrCat("f_", sha); }

// -------------------------------------------------------------------------------- the engine from Lua

ScriptEngine::Run* CurrentRun(lua_State* lua);

// Raises the error value on top of the stack. Called only from frames without C++ objects to destroy: Lua
// errors longjmp.
int RaiseTop(lua_State* lua) { return lua_error(lua); }

int RaiseErrorTable(lua_State* lua, std::string_view message) {
  PushErrorTable(lua, message);
  return RaiseTop(lua);
}

// ------------------------------------------------------------------------------------- redis.call

// redis.call runs with the permissions of the caller's ACL user (Redis 7.2's scriptCall): "" if allowed,
// else the error, after logging the denial in the ACL LOG.
std::string ScriptAclDenial(ScriptEngine::Run& run, const CommandSpec& spec,
                            const std::vector<std::string_view>& args) {
  std::string denial = AclDenialText(run.caller.server(), spec, args, run.caller.client());
  return denial.empty() ? denial : StrCat("ERR ACL failure in script: ", denial);
}

// The spec redis.call may run for `args`, or nullptr with the error text Redis gives.
const CommandSpec* ResolveForScript(ScriptEngine::Run& run, bool wrote,
                                    const std::vector<std::string_view>& args, std::string* error) {
  ServerState& server = run.caller.server();
  const CommandSpec* spec = server.commands.FindForArgs(args);
  if (spec == nullptr) {
    *error = "ERR Unknown Redis command called from script";
    return nullptr;
  }
  if (!spec->AcceptsArgc(args.size())) {
    *error = "ERR Wrong number of args calling Redis command from script";
  } else if (spec->has(kCmdNoscript)) {
    *error = "ERR This Redis command is not allowed from script";
  } else if (std::string denial = ScriptAclDenial(run, *spec, args); !denial.empty()) {
    *error = std::move(denial);  // ACLs before the write and OOM checks, as scriptCall
  } else if (spec->has(kCmdWrite) && run.call.read_only) {
    *error = "ERR Write commands are not allowed from read-only scripts.";
  } else if (spec->has(kCmdWrite) && server.keyspace.replica()) {
    *error = std::string(kErrReadonlyReplica);  // only the stream writes a replica (scriptVerifyWriteCommandAllow)
  } else if (spec->has(kCmdWrite) && !wrote && !server.replication->EnoughGoodReplicas()) {
    *error = std::string(kErrNoReplicas);  // once a script has written it may finish, as in Redis
  } else if (spec->has(kCmdDenyOom) && !wrote && server.config.maxmemory() > 0 &&
             run.caller.client().oom_before_command) {
    *error = std::string(kErrOom);  // once a script has written it may finish, as in Redis
  } else {
    return spec;
  }
  return nullptr;
}

// The arguments of redis.call: strings as they are, numbers as "%.17g" (Redis avoids lua_tolstring's
// lossy %.14g). False if an argument is of another type.
bool CollectArgs(lua_State* lua, std::vector<std::string>* out) {
  const int argc = lua_gettop(lua);
  out->reserve(argc);
  for (int i = 1; i <= argc; ++i) {
    if (lua_type(lua, i) == LUA_TNUMBER) {
      out->push_back(absl::StrFormat("%.17g", lua_tonumber(lua, i)));
    } else if (lua_type(lua, i) == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(lua, i, &len);
      out->emplace_back(s, len);
    } else {
      return false;
    }
  }
  return true;
}

// Runs the command redis.call/pcall names and pushes its reply as a Lua value (an error reply as an
// {err=...} table). Returns whether the pushed value is an error.
bool RunCommandFromLua(lua_State* lua, ScriptEngine::Run& run, std::atomic<bool>& wrote) {
  if (lua_gettop(lua) == 0) {
    PushErrorTable(lua, "ERR Please specify at least one argument for this redis lib call");
    return true;
  }
  std::vector<std::string> storage;
  if (!CollectArgs(lua, &storage)) {
    PushErrorTable(lua, "ERR Lua redis lib command arguments must be strings or integers");
    return true;
  }
  const std::vector<std::string_view> args(storage.begin(), storage.end());
  std::string error;
  const CommandSpec* spec = ResolveForScript(run, wrote.load(), args, &error);
  if (spec == nullptr) {
    PushErrorTable(lua, error);
    return true;
  }
  std::string out;
  protocol::ReplyWriter writer(&out, run.resp3 ? protocol::RespVersion::kResp3 : protocol::RespVersion::kResp2);
  run.client.resp = writer.version();
  CallCommand(run.caller.server(), *spec, args, run.client, writer, ShardLocking::kHeldByCaller);
  if (spec->has(kCmdWrite)) wrote.store(true);
  size_t consumed = 0;
  auto reply = protocol::DecodeReply(out, &consumed);
  if (!reply.ok() || !reply->has_value()) {  // every handler writes one whole reply; this is a bug
    PushErrorTable(lua, StrCat("ERR unreadable reply from '", spec->full_name, "'"));
    return true;
  }
  PushReplyToLua(lua, **reply, run.resp3);
  return (*reply)->type == protocol::RespValue::Type::kError;
}

std::atomic<bool>& WroteFlag(lua_State* lua);

int GenericCall(lua_State* lua, bool raise) {
  ScriptEngine::Run* run = CurrentRun(lua);
  if (run == nullptr) return RaiseErrorTable(lua, "ERR redis.call is only available while a script runs");
  const bool failed = RunCommandFromLua(lua, *run, WroteFlag(lua));
  if (failed && raise) return RaiseTop(lua);
  return 1;
}

int LuaCall(lua_State* lua) { return GenericCall(lua, true); }
int LuaPcall(lua_State* lua) { return GenericCall(lua, false); }

// ------------------------------------------------------------------------------ other redis.* functions

// redis.error_reply: "-CODE message" or "message" becomes {err="CODE message"}; without a code, ERR.
int LuaErrorReply(lua_State* lua) {
  if (lua_gettop(lua) != 1 || lua_type(lua, 1) != LUA_TSTRING) {
    PushErrorTable(lua, "ERR wrong number or type of arguments");
    return 1;
  }
  size_t len = 0;
  const char* s = lua_tolstring(lua, 1, &len);
  std::string_view text(s, len);
  if (!text.empty() && text[0] == '-') text.remove_prefix(1);
  if (text.find(' ') == std::string_view::npos) {
    lua_pushfstring(lua, "ERR %s", std::string(text).c_str());
    size_t n = 0;
    const char* with_code = lua_tolstring(lua, -1, &n);
    PushErrorTable(lua, std::string_view(with_code, n));
    lua_remove(lua, -2);
  } else {
    PushErrorTable(lua, text);
  }
  return 1;
}

int LuaStatusReply(lua_State* lua) {
  if (lua_gettop(lua) != 1 || lua_type(lua, 1) != LUA_TSTRING) {
    PushErrorTable(lua, "ERR wrong number or type of arguments");
    return 1;
  }
  lua_newtable(lua);
  lua_pushstring(lua, "ok");
  lua_pushvalue(lua, 1);
  lua_rawset(lua, -3);
  return 1;
}

int LuaSha1Hex(lua_State* lua) {
  if (lua_gettop(lua) != 1) return RaiseErrorTable(lua, "ERR wrong number of arguments");
  size_t len = 0;
  const char* s = lua_tolstring(lua, 1, &len);
  const std::string hex = ScriptEngine::Sha1Hex(s == nullptr ? std::string_view() : std::string_view(s, len));
  lua_pushlstring(lua, hex.data(), hex.size());
  return 1;
}

// redis.log(level, message, ...): the arguments joined by spaces, at Redis's levels 0-3.
int LuaLog(lua_State* lua) {
  const int argc = lua_gettop(lua);
  if (argc < 2) return RaiseErrorTable(lua, "ERR redis.log() requires two arguments or more.");
  if (!lua_isnumber(lua, 1)) {
    return RaiseErrorTable(lua, "ERR First argument must be a number (log level).");
  }
  const int level = static_cast<int>(lua_tonumber(lua, 1));
  if (level < 0 || level > 3) return RaiseErrorTable(lua, "ERR Invalid debug level.");
  luaL_Buffer buffer;
  luaL_buffinit(lua, &buffer);
  for (int i = 2; i <= argc; ++i) {
    if (i > 2) luaL_addchar(&buffer, ' ');
    size_t len = 0;
    const char* s = lua_tolstring(lua, i, &len);
    if (s != nullptr) luaL_addlstring(&buffer, s, len);
  }
  luaL_pushresult(&buffer);
  size_t len = 0;
  const char* message = lua_tolstring(lua, -1, &len);
  Log(static_cast<LogLevel>(level), std::string_view(message, len));
  return 0;
}

int LuaSetResp(lua_State* lua) {
  ScriptEngine::Run* run = CurrentRun(lua);
  if (lua_gettop(lua) != 1) return RaiseErrorTable(lua, "ERR redis.setresp() requires one argument.");
  const int version = static_cast<int>(lua_tonumber(lua, 1));
  if (version != 2 && version != 3) return RaiseErrorTable(lua, "ERR RESP version must be 2 or 3.");
  if (run != nullptr) run->resp3 = version == 3;
  return 0;
}

// redis.set_repl: sessionkv replicates a script's effects (its commands), as Redis 7 always does; the flags
// are checked as Redis checks them.
int LuaSetRepl(lua_State* lua) {
  if (lua_gettop(lua) != 1) return RaiseErrorTable(lua, "ERR redis.set_repl() requires one argument.");
  const int flags = static_cast<int>(lua_tonumber(lua, 1));
  if (flags < 0 || flags > 3) {
    return RaiseErrorTable(lua, "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  return 0;
}

int LuaReplicateCommands(lua_State* lua) {
  lua_pushboolean(lua, 1);
  return 1;
}

// Without the script debugger, redis.breakpoint() returns false and redis.debug() does nothing (Redis
// outside a debugging session).
int LuaBreakpoint(lua_State* lua) {
  lua_pushboolean(lua, 0);
  return 1;
}
int LuaDebug(lua_State*) { return 0; }

// redis.acl_check_cmd(command, arg...): whether the caller's ACL user may run the command with those
// arguments (checked as redis.call would, without an ACL LOG entry). As in Redis the arity is not checked:
// keys are taken from whatever arguments there are.
int LuaAclCheckCmd(lua_State* lua) {
  ScriptEngine::Run* run = CurrentRun(lua);
  if (lua_gettop(lua) < 1) {
    return RaiseErrorTable(lua, "ERR Please specify at least one argument for this redis lib call");
  }
  bool invalid = run == nullptr, allowed = false;
  if (!invalid) {
    std::vector<std::string> storage;
    invalid = !CollectArgs(lua, &storage);
    const std::vector<std::string_view> args(storage.begin(), storage.end());
    const CommandSpec* spec = invalid ? nullptr : run->caller.server().commands.FindForArgs(args);
    invalid = spec == nullptr;
    allowed = !invalid && AclDenialText(run->caller.server(), *spec, args, run->caller.client(),
                                        /*log=*/false).empty();
  }
  if (invalid) return RaiseErrorTable(lua, "ERR Invalid command passed to redis.acl_check_cmd()");
  lua_pushboolean(lua, allowed ? 1 : 0);
  return 1;
}

// os.clock() (Redis 7.2 gives scripts this one os function).
int LuaOsClock(lua_State* lua) {
  lua_pushnumber(lua, static_cast<lua_Number>(std::clock()) / CLOCKS_PER_SEC);
  return 1;
}

// ------------------------------------------------------------------------------------------- sandbox

int ReadonlyTableError(lua_State* lua) { return luaL_error(lua, "Attempt to modify a readonly table"); }

// __index of the script environment: the real global, or an error for one that does not exist.
int GlobalIndex(lua_State* lua) {
  lua_pushvalue(lua, 2);
  lua_rawget(lua, LUA_GLOBALSINDEX);
  if (!lua_isnil(lua, -1)) return 1;
  const char* name = lua_tostring(lua, 2);
  return luaL_error(lua, "Script attempted to access nonexistent global variable '%s'", name ? name : "?");
}

// loadstring whose chunks see the read-only environment too.
int LuaLoadString(lua_State* lua) {
  size_t len = 0;
  const char* code = luaL_checklstring(lua, 1, &len);
  const char* name = luaL_optstring(lua, 2, code);
  if (luaL_loadbuffer(lua, code, len, name) != 0) {
    lua_pushnil(lua);
    lua_insert(lua, -2);
    return 2;
  }
  lua_getfield(lua, LUA_REGISTRYINDEX, kEnvKey);
  lua_setfenv(lua, -2);
  return 1;
}

// Pushes a table whose reads go to `__index` (the value on top, replaced) and whose writes fail.
void MakeReadonlyProxy(lua_State* lua) {
  lua_newtable(lua);            // proxy
  lua_newtable(lua);            // its metatable
  lua_pushvalue(lua, -3);
  lua_setfield(lua, -2, "__index");
  lua_pushcfunction(lua, ReadonlyTableError);
  lua_setfield(lua, -2, "__newindex");
  lua_pushboolean(lua, 0);
  lua_setfield(lua, -2, "__metatable");  // getmetatable/setmetatable cannot reach it
  lua_setmetatable(lua, -2);
  lua_remove(lua, -2);
}

void OpenLibrary(lua_State* lua, lua_CFunction open, const char* name) {
  lua_pushcfunction(lua, open);
  lua_pushstring(lua, name);
  lua_call(lua, 1, 1);
  if (lua_istable(lua, -1) && name[0] != '\0') lua_setglobal(lua, name);
  else lua_pop(lua, 1);
}

void SetFunction(lua_State* lua, const char* name, lua_CFunction fn) {
  lua_pushcfunction(lua, fn);
  lua_setfield(lua, -2, name);
}

void SetNumber(lua_State* lua, const char* name, lua_Number value) {
  lua_pushnumber(lua, value);
  lua_setfield(lua, -2, name);
}

void RegisterRedisLibrary(lua_State* lua) {
  lua_newtable(lua);
  SetFunction(lua, "call", LuaCall);
  SetFunction(lua, "pcall", LuaPcall);
  SetFunction(lua, "error_reply", LuaErrorReply);
  SetFunction(lua, "status_reply", LuaStatusReply);
  SetFunction(lua, "sha1hex", LuaSha1Hex);
  SetFunction(lua, "log", LuaLog);
  SetFunction(lua, "setresp", LuaSetResp);
  SetFunction(lua, "set_repl", LuaSetRepl);
  SetFunction(lua, "replicate_commands", LuaReplicateCommands);
  SetFunction(lua, "breakpoint", LuaBreakpoint);
  SetFunction(lua, "debug", LuaDebug);
  SetFunction(lua, "acl_check_cmd", LuaAclCheckCmd);
  SetNumber(lua, "LOG_DEBUG", 0);
  SetNumber(lua, "LOG_VERBOSE", 1);
  SetNumber(lua, "LOG_NOTICE", 2);
  SetNumber(lua, "LOG_WARNING", 3);
  SetNumber(lua, "REPL_NONE", 0);
  SetNumber(lua, "REPL_AOF", 1);
  SetNumber(lua, "REPL_SLAVE", 2);
  SetNumber(lua, "REPL_REPLICA", 2);
  SetNumber(lua, "REPL_ALL", 3);
  lua_pushlstring(lua, kRedisVersion.data(), kRedisVersion.size());
  lua_setfield(lua, -2, "REDIS_VERSION");
  int major = 0, minor = 0, patch = 0;
  std::sscanf(std::string(kRedisVersion).c_str(), "%d.%d.%d", &major, &minor, &patch);
  SetNumber(lua, "REDIS_VERSION_NUM", (major << 16) | (minor << 8) | patch);
  lua_setglobal(lua, "redis");
}

// The libraries, then everything scripts must not reach removed, then globals made read-only.
void BuildSandbox(lua_State* lua, ScriptEngine* engine) {
  lua_pushlightuserdata(lua, engine);
  lua_setfield(lua, LUA_REGISTRYINDEX, kEngineKey);

  OpenLibrary(lua, luaopen_base, "");
  OpenLibrary(lua, luaopen_table, LUA_TABLIBNAME);
  OpenLibrary(lua, luaopen_string, LUA_STRLIBNAME);
  OpenLibrary(lua, luaopen_math, LUA_MATHLIBNAME);
  OpenLibrary(lua, luaopen_cjson, "cjson");
  OpenLibrary(lua, luaopen_bit, "bit");
  RegisterRedisLibrary(lua);
  lua_newtable(lua);
  SetFunction(lua, "clock", LuaOsClock);
  lua_setglobal(lua, "os");

  for (const char* name : {"dofile", "loadfile", "print", "getfenv", "setfenv", "newproxy", "module",
                           "require"}) {
    lua_pushnil(lua);
    lua_setglobal(lua, name);
  }
  lua_pushcfunction(lua, LuaLoadString);
  lua_setglobal(lua, "loadstring");

  for (const char* name : {"redis", "string", "math", "table", "cjson", "bit", "os", "coroutine"}) {
    lua_getglobal(lua, name);
    MakeReadonlyProxy(lua);
    lua_setglobal(lua, name);
  }

  // The scripts' environment: reads reach the globals (or fail for undefined ones), writes fail.
  lua_newtable(lua);
  lua_newtable(lua);
  lua_pushcfunction(lua, GlobalIndex);
  lua_setfield(lua, -2, "__index");
  lua_pushcfunction(lua, ReadonlyTableError);
  lua_setfield(lua, -2, "__newindex");
  lua_pushboolean(lua, 0);
  lua_setfield(lua, -2, "__metatable");
  lua_setmetatable(lua, -2);
  lua_pushvalue(lua, -1);
  lua_setglobal(lua, "_G");
  lua_setfield(lua, LUA_REGISTRYINDEX, kEnvKey);
}

// pcall's message handler: any error becomes a table {err=..., source=..., line=...}, where source and
// line are those of the script code that raised it (past the C function, such as error() or redis.call).
// A string error gets the ERR code.
int ErrorHandler(lua_State* lua) {
  if (lua_type(lua, 1) != LUA_TTABLE) {
    const char* message = lua_tostring(lua, 1);
    lua_pushfstring(lua, "ERR %s", message != nullptr ? message : luaL_typename(lua, 1));
    lua_newtable(lua);
    lua_insert(lua, -2);
    lua_setfield(lua, -2, "err");
    lua_replace(lua, 1);
  }
  lua_Debug frame;
  bool found = lua_getstack(lua, 1, &frame) && lua_getinfo(lua, "Sl", &frame);
  if (found && frame.what != nullptr && std::string_view(frame.what) == "C") {
    found = lua_getstack(lua, 2, &frame) && lua_getinfo(lua, "Sl", &frame);
  }
  if (found && frame.currentline >= 0) {
    lua_pushstring(lua, "source");
    lua_pushstring(lua, frame.source);
    lua_rawset(lua, 1);
    lua_pushstring(lua, "line");
    lua_pushnumber(lua, frame.currentline);
    lua_rawset(lua, 1);
  }
  lua_settop(lua, 1);
  return 1;
}

ScriptEngine* EngineOf(lua_State* lua) {
  lua_getfield(lua, LUA_REGISTRYINDEX, kEngineKey);
  auto* engine = static_cast<ScriptEngine*>(lua_touserdata(lua, -1));
  lua_pop(lua, 1);
  return engine;
}

void SetGlobalArray(lua_State* lua, const char* name, const std::vector<std::string_view>& items) {
  lua_createtable(lua, static_cast<int>(items.size()), 0);
  int i = 1;
  for (std::string_view item : items) {
    lua_pushlstring(lua, item.data(), item.size());
    lua_rawseti(lua, -2, i++);
  }
  lua_pushstring(lua, name);
  lua_insert(lua, -2);
  lua_rawset(lua, LUA_GLOBALSINDEX);
}

int LuaPanic(lua_State* lua) {
  const char* message = lua_tostring(lua, -1);
  Log(LogLevel::kWarning, StrCat("Lua panic (unprotected error): ", message ? message : "?"));
  std::abort();
}

}  // namespace

// --------------------------------------------------------------------------------------- ScriptEngine

// Accessors for the C functions above (they need the engine's private state).
class ScriptEngineAccess {
 public:
  static ScriptEngine::Run* run(ScriptEngine& e) { return e.run_; }
  static std::atomic<bool>& wrote(ScriptEngine& e) { return e.wrote_; }
  static std::atomic<bool>& kill_requested(ScriptEngine& e) { return e.kill_requested_; }
};

namespace {
ScriptEngine::Run* CurrentRun(lua_State* lua) { return ScriptEngineAccess::run(*EngineOf(lua)); }
std::atomic<bool>& WroteFlag(lua_State* lua) { return ScriptEngineAccess::wrote(*EngineOf(lua)); }

// Every kKillCheckInstructions instructions: stops the script when SCRIPT KILL asked for it.
void KillHook(lua_State* lua, lua_Debug*) {
  if (!ScriptEngineAccess::kill_requested(*EngineOf(lua)).load()) return;
  RaiseErrorTable(lua, "ERR Script killed by user with SCRIPT KILL...");
}
}  // namespace

ScriptEngine::ScriptEngine() = default;

ScriptEngine::~ScriptEngine() { CloseState(); }

std::string ScriptEngine::Sha1Hex(std::string_view body) {
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest);
  std::string hex;
  hex.reserve(2 * SHA_DIGEST_LENGTH);
  for (unsigned char byte : digest) absl::StrAppendFormat(&hex, "%02x", byte);
  return hex;
}

void ScriptEngine::EnsureState() {
  if (lua_ != nullptr) return;
  lua_ = luaL_newstate();
  lua_atpanic(lua_, LuaPanic);
  BuildSandbox(lua_, this);
  if (lua_client_ == nullptr) lua_client_ = std::make_shared<ClientInfo>(0, "lua", "", -1, 0);
}

void ScriptEngine::CloseState() {
  if (lua_ == nullptr) return;
  lua_close(lua_);
  lua_ = nullptr;
}

absl::StatusOr<std::string> ScriptEngine::Load(std::string_view body) {
  std::lock_guard lock(mu_);
  EnsureState();
  absl::StatusOr<std::string> sha = Compile(body);
  UpdateStats();
  return sha;
}

absl::StatusOr<std::string> ScriptEngine::Compile(std::string_view body) {
  std::string sha = Sha1Hex(body);
  if (scripts_.contains(sha)) return sha;
  if (luaL_loadbuffer(lua_, body.data(), body.size(), "@user_script") != 0) {
    std::string error = StrCat("ERR Error compiling script (new function): ", lua_tostring(lua_, -1));
    lua_pop(lua_, 1);
    return absl::InvalidArgumentError(error);
  }
  lua_getfield(lua_, LUA_REGISTRYINDEX, kEnvKey);
  lua_setfenv(lua_, -2);
  lua_setfield(lua_, LUA_REGISTRYINDEX, FunctionKey(sha).c_str());
  scripts_.insert(sha);
  return sha;
}

bool ScriptEngine::Exists(std::string_view sha) {
  std::lock_guard lock(mu_);
  return scripts_.contains(AsciiStrToLower(sha));
}

void ScriptEngine::Flush() {
  std::lock_guard lock(mu_);
  CloseState();
  scripts_.clear();
  UpdateStats();
}

void ScriptEngine::UpdateStats() {
  cached_scripts_.store(scripts_.size(), std::memory_order_relaxed);
  const size_t bytes = lua_ == nullptr ? 0
                                       : static_cast<size_t>(lua_gc(lua_, LUA_GCCOUNT, 0)) * 1024 +
                                             static_cast<size_t>(lua_gc(lua_, LUA_GCCOUNTB, 0));
  lua_memory_.store(bytes, std::memory_order_relaxed);
}

ScriptEngine::KillResult ScriptEngine::Kill() {
  if (!running_.load()) return KillResult::kNotBusy;
  if (wrote_.load()) return KillResult::kUnkillable;
  kill_requested_.store(true);
  return KillResult::kKilled;
}

bool ScriptEngine::PushFunction(CommandContext& ctx, const ScriptCall& call) {
  if (!scripts_.contains(call.sha)) {
    if (call.by_sha) {
      ctx.Error("NOSCRIPT No matching script. Please use EVAL.");
      return false;
    }
    absl::StatusOr<std::string> loaded = Compile(call.body);
    if (!loaded.ok()) {
      ctx.Error(loaded.status());
      return false;
    }
  }
  lua_getfield(lua_, LUA_REGISTRYINDEX, FunctionKey(call.sha).c_str());
  return true;
}

void ScriptEngine::Eval(CommandContext& ctx, const ScriptCall& call) {
  std::lock_guard lock(mu_);
  EnsureState();
  const int base = lua_gettop(lua_);
  lua_pushcfunction(lua_, ErrorHandler);
  if (!PushFunction(ctx, call)) return lua_settop(lua_, base);
  SetGlobalArray(lua_, "KEYS", call.keys);
  SetGlobalArray(lua_, "ARGV", call.argv);

  Run run{.engine = *this, .caller = ctx, .call = call, .client = {}};
  run.client.info = lua_client_;
  run.client.db = ctx.client().db;
  run.client.authenticated = true;
  run.client.in_exec = true;  // blocking commands answer at once
  // redis.call records into the caller's sink (its command's MutationScope, server/mutation_scope.h): the
  // script's writes are one batch with the caller's ticket, and the EVAL reply waits for their commit.
  run.client.sink = ctx.client().sink;
  run_ = &run;
  wrote_ = false;
  kill_requested_ = false;
  running_ = true;
  lua_sethook(lua_, KillHook, LUA_MASKCOUNT, kKillCheckInstructions);
  const int status = lua_pcall(lua_, 0, 1, base + 1);
  lua_sethook(lua_, nullptr, 0, 0);
  running_ = false;
  run_ = nullptr;

  if (status == 0) {
    WriteLuaValue(lua_, -1, ctx.reply(), run.resp3);
  } else {
    std::string error, source;
    if (!RawStringField(lua_, -1, "err", &error)) {
      const char* text = lua_tostring(lua_, -1);  // out of memory: the message is a string
      ctx.Error(StrCat("ERR Error running script (call to f_", call.sha, "): ", text ? text : "?"));
    } else {
      lua_pushstring(lua_, "line");
      lua_rawget(lua_, -2);  // raw: a script's error table may carry metamethods
      const int line = lua_type(lua_, -1) == LUA_TNUMBER ? static_cast<int>(lua_tonumber(lua_, -1)) : -1;
      lua_pop(lua_, 1);
      if (RawStringField(lua_, -1, "source", &source) && line >= 0) {
        StrAppend(&error, " script: ", call.sha, ", on ", source, ":", line, ".");
      }
      ctx.Error(error);
    }
  }
  lua_settop(lua_, base);
  UpdateStats();
}

}  // namespace sessionkv::server
