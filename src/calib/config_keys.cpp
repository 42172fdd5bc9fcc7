#include "calib/config_keys.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

#include "calib/closest_match.h"
#include "ptqc/error.h"

namespace ptqc {

using nlohmann::json;

namespace {

bool is_identifier(const std::string& key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key[0]))) return false;
  for (char c : key) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

/// "a.b" for identifier keys, a["x/y"] otherwise; the root's children have no leading dot.
std::string member_path(const std::string& parent, const std::string& key) {
  if (!is_identifier(key)) return parent + "[\"" + key + "\"]";
  return parent.empty() ? key : parent + "." + key;
}

std::string where(const std::string& path) { return path.empty() ? "at the top level" : "in " + path; }

/// \p key as messages quote it: at most 60 characters (a key can be megabytes long).
std::string quoted_key(const std::string& key) {
  return "\"" + (key.size() > 60 ? key.substr(0, 57) + "..." : key) + "\"";
}

/// Deeper nesting than any config needs; refused while parsing, before it is built.
constexpr int kMaxDepth = 32;

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

/// The containers open while parsing, to name the object of a duplicate key.
struct OpenContainer {
  std::string path;
  bool is_object = true;
  std::set<std::string> keys;
  std::string last_key;
  size_t elements = 0;  ///< arrays: elements completed so far

  std::string child_path() const {
    return is_object ? member_path(path, last_key) : path + "[" + std::to_string(elements) + "]";
  }
};

}  // namespace

json parse_config_json(const std::string& file, const std::string& text) {
  std::vector<OpenContainer> open;
  auto track = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start: {
        if (depth >= kMaxDepth) {
          throw Error(ErrorCode::kInvalidValue, file + ": nesting deeper than " + std::to_string(kMaxDepth) + " levels " +
                                                    where(open.empty() ? "" : open.back().child_path()));
        }
        OpenContainer child;
        child.path = open.empty() ? "" : open.back().child_path();
        child.is_object = event == json::parse_event_t::object_start;
        open.push_back(std::move(child));
        break;
      }
      case json::parse_event_t::key: {
        OpenContainer& object = open.back();
        object.last_key = parsed.get<std::string>();
        if (!object.keys.insert(object.last_key).second) {
          throw Error(ErrorCode::kInvalidValue, file + ": duplicate key " + quoted_key(object.last_key) + " " +
                                                    where(object.path) + " (only the last one would count: keep one)");
        }
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        open.pop_back();
        if (!open.empty() && !open.back().is_object) ++open.back().elements;
        break;
      case json::parse_event_t::value:
        if (!open.empty() && !open.back().is_object) ++open.back().elements;
        break;
    }
    return true;
  };
  try {
    return json::parse(text, track, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {  // a syntax error, or a number out of range (1e999)
    std::string reason = e.what();
    const size_t tag_end = reason.find("] ");
    if (tag_end != std::string::npos) reason = reason.substr(tag_end + 2);
    const std::string at = open.empty() ? "" : " " + where(open.back().child_path());
    throw Error(ErrorCode::kInvalidValue, file + ": not valid JSON" + at + ": " + reason);
  }
}

ConfigValue::ConfigValue(const std::string& file, const nlohmann::json& value, std::string path)
    : file_(&file), value_(&value), path_(std::move(path)) {}

bool ConfigValue::has(const std::string& key) const { return value_->is_object() && value_->contains(key); }

ConfigValue ConfigValue::at(const std::string& key) const {
  return ConfigValue(*file_, value_->at(key), member_path(path_, key));
}

ConfigValue ConfigValue::required(const std::string& key) const {
  if (!has(key)) {
    throw Error(ErrorCode::kMissingFlag, *file_ + ": missing required key " + member_path(path_, key));
  }
  return at(key);
}

ConfigValue ConfigValue::element(size_t i) const {
  return ConfigValue(*file_, (*value_)[i], path_ + "[" + std::to_string(i) + "]");
}

void ConfigValue::expect_object(const std::vector<std::string>& allowed) const {
  if (!value_->is_object()) fail("an object");
  for (const auto& [key, value] : value_->items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string hint = did_you_mean(key, allowed);
    if (hint.empty()) hint = " (valid keys: " + joined(allowed) + ")";
    throw Error(ErrorCode::kInvalidValue, *file_ + ": unknown key " + quoted_key(key) + " " + where(path_) + hint);
  }
}

void ConfigValue::expect_array(int64_t count) const {
  if (count < 0 && !value_->is_array()) fail("an array");
  if (count >= 0 && !(value_->is_array() && value_->size() == static_cast<size_t>(count))) {
    fail("an array of " + std::to_string(count) + " elements");
  }
}

std::string ConfigValue::as_string() const {
  if (!value_->is_string()) fail("a string");
  return value_->get<std::string>();
}

double ConfigValue::as_number() const {
  if (!value_->is_number() || !std::isfinite(value_->get<double>())) fail("a number");
  return value_->get<double>();
}

int64_t ConfigValue::as_integer() const {
  if (!value_->is_number_integer() ||
      (value_->is_number_unsigned() && value_->get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()})) {
    fail("an integer");
  }
  return value_->get<int64_t>();
}

bool ConfigValue::as_bool() const {
  if (!value_->is_boolean()) fail("true or false");
  return value_->get<bool>();
}

void ConfigValue::fail(const std::string& expected, const std::string& hint) const {
  std::string found = value_->dump();
  if (found.size() > 60) found = found.substr(0, 57) + "...";
  throw Error(ErrorCode::kInvalidValue, *file_ + ": " + (path_.empty() ? "top level" : path_) + ": expected " +
                                            expected + ", found " + found + hint);
}

void ConfigValue::fail_choice(const std::vector<std::string>& names) const {
  const std::string hint = value_->is_string() ? did_you_mean(value_->get<std::string>(), names) : "";
  fail("one of " + joined(names), hint);
}

}  // namespace ptqc
