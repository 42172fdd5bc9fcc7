#pragma once
/// \file
/// "Did you mean ...?" suggestions for misspelled config keys, values and layer names.

#include <string>
#include <string_view>
#include <vector>

namespace ptqc {

/// Levenshtein distance between \p a and \p b, ignoring ASCII case: the fewest
/// single-character insertions, deletions and substitutions that turn one into the other.
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to \p word by edit_distance (the first one on ties) when it is a
/// plausible misspelling, i.e. at distance <= max(2, |word| / 3); "" otherwise.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// " (did you mean \"x\"?)" for the closest match, or "" when there is none.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace ptqc
