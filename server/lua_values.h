// SPDX-License-Identifier: Apache-2.0
// Conversions between RESP replies and Lua values for EVAL, with Redis's mapping (EVAL docs, "Conversion
// between Lua and Redis data types"):
//
//   RESP -> Lua (what redis.call returns)      Lua -> RESP (what the script returns)
//   integer        -> number                   number              -> integer (truncated)
//   bulk string    -> string                   string              -> bulk string
//   array          -> table (1..n)             table (1..n)        -> array, up to the first nil
//   status "+OK"   -> {ok="OK"}                {ok=...}            -> status
//   error          -> {err="ERR ..."}          {err=...}           -> error
//   null           -> false (RESP3: nil)       false               -> null (RESP3 scripts: #f)
//   RESP3 map/set/double/bool/big number/verbatim -> {map=}, {set=}, {double=}, boolean, {big_number=},
//   {verbatim_string={format=, string=}}, and back.
//
// Lua is C: an error raised inside it longjmps. These functions only push, read with raw access (no
// metamethods run) and allocate, so they raise nothing but out-of-memory.
#pragma once

#include <string>
#include <string_view>

#include "protocol/reply_writer.h"
#include "protocol/resp_value.h"

struct lua_State;

namespace sessionkv::server {

// Pushes `value` as the script sees a reply of redis.call. `resp3`: the script asked for RESP3 with
// redis.setresp(3).
void PushReplyToLua(lua_State* lua, const protocol::RespValue& value, bool resp3);

// Pushes a table {err=message}, the error value of redis.pcall and of redis.error_reply.
void PushErrorTable(lua_State* lua, std::string_view message);

// Writes the Lua value at stack index `index` as the reply of the script. `resp3_script`: the script used
// redis.setresp(3), so booleans keep their type.
void WriteLuaValue(lua_State* lua, int index, protocol::ReplyWriter& reply, bool resp3_script);

// The string value of field `name` of the table at `index` (raw access), or false if absent or not a string.
bool RawStringField(lua_State* lua, int index, const char* name, std::string* out);

}  // namespace sessionkv::server
