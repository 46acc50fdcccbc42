#pragma once
// The values an inventory or events file may hold in its name, address and verdict fields, and
// their one spelling: what a reader folds on, so "A.Example." and "a.example" are one domain.

#include <optional>
#include <string>
#include <string_view>

namespace netmap::inventory {

/// The name as the policy compares it (lowercase A-labels, no trailing dot, IDN converted); a
/// name that is no valid host name (an escaped wire name, "\000.example") is kept as written.
[[nodiscard]] std::string normalized_name(std::string_view name);
/// The address in inet_ntop's spelling ("::0001" → "::1"); nothing when it is no IPv4 or IPv6
/// address.
[[nodiscard]] std::optional<std::string> normalized_address(std::string_view address);
/// True for a verdict netmap writes: a policy decision (allowed, denied, mock, ignored, unlisted,
/// invalid) or a fence's refusal (blocked-alias, ip-literal, method-blocked, loop, local-address).
[[nodiscard]] bool is_known_verdict(std::string_view verdict) noexcept;
/// Those verdicts as a comma-separated list, for messages that name what is accepted.
[[nodiscard]] std::string known_verdicts();

} // namespace netmap::inventory
