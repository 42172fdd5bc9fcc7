#pragma once
/// \file
/// Reading the quantization config's JSON with the file name and the JSON path at hand, so
/// that every error names both, says what was expected and shows what was found:
/// `quant.json: quantize_info.search_range[1]: expected a number > 0.7, found 0.5`.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace ptqc {

/// Parses config text: `//` and `/* */` comments are allowed; malformed JSON and a key that
/// appears twice in one object are E10001 errors naming \p file (with line and column for
/// syntax errors).
nlohmann::json parse_config_json(const std::string& file, const std::string& text);

/// One value of the config file and its JSON path ("" for the root).
class ConfigValue {
 public:
  ConfigValue(const std::string& file, const nlohmann::json& value, std::string path);

  const std::string& path() const { return path_; }
  const nlohmann::json& json() const { return *value_; }

  /// True when this object has member \p key.
  bool has(const std::string& key) const;
  /// Member \p key. \pre has(key).
  ConfigValue at(const std::string& key) const;
  /// Member \p key; E10007 naming its path when absent.
  ConfigValue required(const std::string& key) const;
  /// Element \p i of this array. \pre i < size().
  ConfigValue element(size_t i) const;
  /// Elements of this array.
  size_t size() const { return value_->size(); }

  /// E10001 unless this is an object whose keys are all in \p allowed; an unknown key's
  /// message suggests the closest valid one.
  void expect_object(const std::vector<std::string>& allowed) const;
  /// E10001 unless this is an array (of \p count elements when count >= 0).
  void expect_array(int64_t count = -1) const;
  std::string as_string() const;
  /// A finite number (integer or not).
  double as_number() const;
  /// An integer (4096, not 4096.0).
  int64_t as_integer() const;
  bool as_bool() const;
  /// The value of the choice whose name equals this string; E10001 listing the names
  /// (and the closest one) otherwise.
  template <class T>
  T as_choice(const std::vector<std::pair<std::string, T>>& choices) const;

  /// Throws E10001 "<file>: <path>: expected <expected>, found <this value><hint>".
  [[noreturn]] void fail(const std::string& expected, const std::string& hint = "") const;

 private:
  [[noreturn]] void fail_choice(const std::vector<std::string>& names) const;

  const std::string* file_;
  const nlohmann::json* value_;
  std::string path_;
};

template <class T>
T ConfigValue::as_choice(const std::vector<std::pair<std::string, T>>& choices) const {
  std::vector<std::string> names;
  for (const auto& [name, value] : choices) {
    if (value_->is_string() && value_->get_ref<const std::string&>() == name) return value;
    names.push_back(name);
  }
  fail_choice(names);
}

}  // namespace ptqc
