// SPDX-License-Identifier: Apache-2.0
#include "server/lua_values.h"

extern "C" {
#include <lauxlib.h>
#include <lua.h>
}

#include <cmath>
#include <cstdint>

namespace sessionkv::server {
namespace {

using protocol::RespValue;
using Type = RespValue::Type;

// Deeper tables than this are refused rather than overflowing the C stack (Redis checks lua_checkstack).
constexpr int kMaxDepth = 500;

void PushString(lua_State* lua, std::string_view s) { lua_pushlstring(lua, s.data(), s.size()); }

// Pushes {name=<value on top>}, replacing the value.
void WrapInField(lua_State* lua, const char* name) {
  lua_newtable(lua);
  lua_pushstring(lua, name);
  lua_pushvalue(lua, -3);
  lua_rawset(lua, -3);
  lua_remove(lua, -2);
}

void PushArray(lua_State* lua, const RespValue& value, bool resp3) {
  lua_createtable(lua, static_cast<int>(value.elements.size()), 0);
  int i = 1;
  for (const RespValue& element : value.elements) {
    PushReplyToLua(lua, element, resp3);
    lua_rawseti(lua, -2, i++);
  }
}

void PushMap(lua_State* lua, const RespValue& value, bool resp3) {
  lua_createtable(lua, 0, static_cast<int>(value.elements.size() / 2));
  for (size_t i = 0; i + 1 < value.elements.size(); i += 2) {
    PushReplyToLua(lua, value.elements[i], resp3);
    PushReplyToLua(lua, value.elements[i + 1], resp3);
    lua_rawset(lua, -3);
  }
  WrapInField(lua, "map");
}

void PushSet(lua_State* lua, const RespValue& value, bool resp3) {
  lua_createtable(lua, 0, static_cast<int>(value.elements.size()));
  for (const RespValue& member : value.elements) {
    PushReplyToLua(lua, member, resp3);
    lua_pushboolean(lua, 1);
    lua_rawset(lua, -3);
  }
  WrapInField(lua, "set");
}

void PushVerbatim(lua_State* lua, const RespValue& value) {
  lua_newtable(lua);
  lua_pushstring(lua, "format");
  lua_pushstring(lua, "txt");
  lua_rawset(lua, -3);
  lua_pushstring(lua, "string");
  PushString(lua, value.str);
  lua_rawset(lua, -3);
  WrapInField(lua, "verbatim_string");
}

// Whether the table at `index` has a field `name` of Lua type `type`; if so it is left on the stack.
bool PushRawField(lua_State* lua, int index, const char* name, int type) {
  lua_pushstring(lua, name);
  lua_rawget(lua, index);
  if (lua_type(lua, -1) == type) return true;
  lua_pop(lua, 1);
  return false;
}

// Number of key/value pairs of the table at `index`.
size_t CountPairs(lua_State* lua, int index) {
  size_t n = 0;
  lua_pushnil(lua);
  while (lua_next(lua, index) != 0) {
    lua_pop(lua, 1);
    ++n;
  }
  return n;
}

void WriteValue(lua_State* lua, int index, protocol::ReplyWriter& reply, bool resp3_script, int depth);

void WriteMap(lua_State* lua, int map, protocol::ReplyWriter& reply, bool resp3_script, int depth) {
  reply.MapHeader(CountPairs(lua, map));
  lua_pushnil(lua);
  while (lua_next(lua, map) != 0) {
    const int top = lua_gettop(lua);
    WriteValue(lua, top - 1, reply, resp3_script, depth + 1);
    WriteValue(lua, top, reply, resp3_script, depth + 1);
    lua_pop(lua, 1);
  }
}

void WriteSet(lua_State* lua, int set, protocol::ReplyWriter& reply, bool resp3_script, int depth) {
  reply.SetHeader(CountPairs(lua, set));
  lua_pushnil(lua);
  while (lua_next(lua, set) != 0) {
    WriteValue(lua, lua_gettop(lua) - 1, reply, resp3_script, depth + 1);
    lua_pop(lua, 1);
  }
}

// An array of the elements 1..n before the first nil, as Redis does.
void WriteArray(lua_State* lua, int table, protocol::ReplyWriter& reply, bool resp3_script, int depth) {
  size_t n = 0;
  for (;; ++n) {
    lua_rawgeti(lua, table, static_cast<int>(n + 1));
    const bool end = lua_isnil(lua, -1);
    lua_pop(lua, 1);
    if (end) break;
  }
  reply.ArrayHeader(n);
  for (size_t i = 1; i <= n; ++i) {
    lua_rawgeti(lua, table, static_cast<int>(i));
    WriteValue(lua, lua_gettop(lua), reply, resp3_script, depth + 1);
    lua_pop(lua, 1);
  }
}

void WriteTable(lua_State* lua, int table, protocol::ReplyWriter& reply, bool resp3_script, int depth) {
  std::string text;
  if (RawStringField(lua, table, "err", &text)) return reply.Error(text);
  if (RawStringField(lua, table, "ok", &text)) return reply.SimpleString(text);
  if (PushRawField(lua, table, "double", LUA_TNUMBER)) {
    reply.Double(lua_tonumber(lua, -1));
    return lua_pop(lua, 1);
  }
  if (RawStringField(lua, table, "big_number", &text)) {
    if (reply.resp3()) return void(reply.buffer()->append("(").append(text).append("\r\n"));
    return reply.Bulk(text);
  }
  if (PushRawField(lua, table, "verbatim_string", LUA_TTABLE)) {
    std::string format, body;
    const int verbatim = lua_gettop(lua);
    if (RawStringField(lua, verbatim, "format", &format) && RawStringField(lua, verbatim, "string", &body)) {
      reply.Verbatim(format, body);
      return lua_pop(lua, 1);
    }
    lua_pop(lua, 1);
  }
  if (PushRawField(lua, table, "map", LUA_TTABLE)) {
    WriteMap(lua, lua_gettop(lua), reply, resp3_script, depth);
    return lua_pop(lua, 1);
  }
  if (PushRawField(lua, table, "set", LUA_TTABLE)) {
    WriteSet(lua, lua_gettop(lua), reply, resp3_script, depth);
    return lua_pop(lua, 1);
  }
  WriteArray(lua, table, reply, resp3_script, depth);
}

void WriteValue(lua_State* lua, int index, protocol::ReplyWriter& reply, bool resp3_script, int depth) {
  if (depth > kMaxDepth || !lua_checkstack(lua, 8)) return reply.Error("ERR reached lua stack limit");
  switch (lua_type(lua, index)) {
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(lua, index, &len);
      return reply.Bulk(std::string_view(s, len));
    }
    case LUA_TBOOLEAN:
      if (resp3_script) return reply.Bool(lua_toboolean(lua, index) != 0);
      if (lua_toboolean(lua, index)) return reply.Integer(1);
      return reply.Null();
    case LUA_TNUMBER: {
      const double d = lua_tonumber(lua, index);
      // Lua numbers are doubles; Redis truncates them to long long (out of range values saturate here
      // instead of being undefined behaviour).
      if (std::isnan(d)) return reply.Integer(INT64_MIN);
      if (d >= 9.2233720368547758e18) return reply.Integer(INT64_MAX);
      if (d <= -9.2233720368547758e18) return reply.Integer(INT64_MIN);
      return reply.Integer(static_cast<int64_t>(d));
    }
    case LUA_TTABLE:
      return WriteTable(lua, index < 0 ? lua_gettop(lua) + index + 1 : index, reply, resp3_script, depth);
    default:
      return reply.Null();
  }
}

}  // namespace

void PushReplyToLua(lua_State* lua, const RespValue& value, bool resp3) {
  if (!lua_checkstack(lua, 8)) {
    lua_pushboolean(lua, 0);  // a reply nested deeper than the Lua stack: Redis gives up the same way
    return;
  }
  switch (value.type) {
    case Type::kInteger:
      return lua_pushnumber(lua, static_cast<lua_Number>(value.integer));
    case Type::kBulk:
      return PushString(lua, value.str);
    case Type::kSimpleString:
      PushString(lua, value.str);
      return WrapInField(lua, "ok");
    case Type::kError:
      return PushErrorTable(lua, value.str);
    case Type::kNull:
      if (resp3) return lua_pushnil(lua);
      return lua_pushboolean(lua, 0);
    case Type::kArray:
    case Type::kPush:
      return PushArray(lua, value, resp3);
    case Type::kMap:
      return PushMap(lua, value, resp3);
    case Type::kSet:
      return PushSet(lua, value, resp3);
    case Type::kDouble:
      lua_pushnumber(lua, value.dbl);
      return WrapInField(lua, "double");
    case Type::kBool:
      return lua_pushboolean(lua, value.boolean ? 1 : 0);
    case Type::kBigNumber:
      PushString(lua, value.str);
      return WrapInField(lua, "big_number");
    case Type::kVerbatim:
      return PushVerbatim(lua, value);
  }
}

void PushErrorTable(lua_State* lua, std::string_view message) {
  PushString(lua, message);
  WrapInField(lua, "err");
}

void WriteLuaValue(lua_State* lua, int index, protocol::ReplyWriter& reply, bool resp3_script) {
  WriteValue(lua, index, reply, resp3_script, 0);
}

bool RawStringField(lua_State* lua, int index, const char* name, std::string* out) {
  if (lua_type(lua, index) != LUA_TTABLE) return false;
  if (!PushRawField(lua, index < 0 ? index - 1 : index, name, LUA_TSTRING)) return false;
  size_t len = 0;
  const char* s = lua_tolstring(lua, -1, &len);
  out->assign(s, len);
  lua_pop(lua, 1);
  return true;
}

}  // namespace sessionkv::server
